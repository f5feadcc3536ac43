-- The one inbox of alerts: kinds as data, and the alerts.

-- How each kind behaves: who sees it first (the users of the tier level
-- with one of the roles), how long it may wait unacknowledged before it
-- escalates (0: never), and the channels it goes out on. A workflow that
-- raises a new kind adds its row in a migration of its own.
CREATE TABLE alert_kinds (
    kind        TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    tier        TEXT NOT NULL,
    roles       TEXT NOT NULL,
    ack_seconds INTEGER NOT NULL,
    channels    TEXT NOT NULL,
    updated_at  TIMESTAMP,
    updated_by  TEXT NOT NULL DEFAULT ''
);
INSERT INTO alert_kinds (kind, label, tier, roles, ack_seconds, channels) VALUES
    ('case', '阳性病例', 'subdistrict', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 900, 'log'),
    ('transfer_overdue', '转运超时', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 900, 'log'),
    ('health_abnormal', '健康异常', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff,grid_worker', 1800, 'log'),
    ('followup_overdue', '随访逾期', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff,grid_worker', 14400, 'log'),
    ('notice_dead', '通知发送失败', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 3600, 'log');

-- An alert. path is its place's, tier_path the node whose users (and
-- those below it) see it now; escalation moves the tier one level up.
CREATE TABLE alerts (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL REFERENCES alert_kinds (kind),
    place_id       INTEGER NOT NULL REFERENCES places (id),
    path           TEXT NOT NULL,
    subject        TEXT NOT NULL DEFAULT '',
    subject_id     INTEGER NOT NULL DEFAULT 0,
    dedup_key      TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    since          TIMESTAMP NOT NULL,
    raised_at      TIMESTAMP NOT NULL,
    last_raised_at TIMESTAMP NOT NULL,
    repeats        INTEGER NOT NULL DEFAULT 0,
    level          INTEGER NOT NULL DEFAULT 0,
    tier_place_id  INTEGER NOT NULL,
    tier_path      TEXT NOT NULL,
    due_at         TIMESTAMP,
    escalated_at   TIMESTAMP,
    acked_at       TIMESTAMP,
    acked_by       TEXT NOT NULL DEFAULT '',
    ack_note       TEXT NOT NULL DEFAULT '',
    resolved_at    TIMESTAMP,
    resolved_by    TEXT NOT NULL DEFAULT ''
);
-- one open alert per kind and key: a repeat counts on it
CREATE UNIQUE INDEX alerts_key ON alerts (kind, dedup_key) WHERE resolved_at IS NULL;
-- the inbox and its unread count read open alerts under a scope
CREATE INDEX alerts_open ON alerts (path) WHERE resolved_at IS NULL;
CREATE INDEX alerts_due ON alerts (due_at) WHERE acked_at IS NULL AND resolved_at IS NULL;
CREATE INDEX alerts_subject ON alerts (subject, subject_id);
