-- Urgent help (紧急求助): the deadlines of each category (data, changed by
-- admins at the root), the requests, and the two alerts of a late one.

CREATE TABLE help_targets (
    category       TEXT PRIMARY KEY,
    ack_seconds    INTEGER NOT NULL,
    resolve_seconds INTEGER NOT NULL,
    medical        BOOLEAN NOT NULL DEFAULT FALSE
);
-- FIELD.md: urgent medical requests acknowledged within 15 minutes and
-- resolved within 2 hours; chronic medicine within 24 hours.
INSERT INTO help_targets (category, ack_seconds, resolve_seconds, medical) VALUES
    ('dialysis', 900, 7200, TRUE),
    ('chemotherapy', 900, 7200, TRUE),
    ('pregnancy', 900, 7200, TRUE),
    ('acute_illness', 900, 7200, TRUE),
    ('mental_health', 900, 14400, FALSE),
    ('critical_medicine', 1800, 86400, FALSE),
    ('other', 3600, 86400, FALSE);

CREATE TABLE help_requests (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES places (id),
    person_id    INTEGER REFERENCES persons (id),
    -- the household's path: scope and "everything under a node"
    path         TEXT NOT NULL,
    category     TEXT NOT NULL,
    need         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('link', 'staff')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'acked', 'resolved')),
    medical      BOOLEAN NOT NULL DEFAULT FALSE,
    ack_due      TIMESTAMP NOT NULL,
    resolve_due  TIMESTAMP NOT NULL,
    acked_at     TIMESTAMP,
    acked_by     TEXT NOT NULL DEFAULT '',
    resolved_at  TIMESTAMP,
    resolved_by  TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL DEFAULT '',
    -- when the job raised each late alert: each once
    ack_alerted_at  TIMESTAMP,
    late_alerted_at TIMESTAMP,
    request_key  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    purged_at    TIMESTAMP
);
-- A retried request acts once.
CREATE UNIQUE INDEX help_requests_key ON help_requests (household_id, request_key) WHERE request_key <> '';
CREATE INDEX help_requests_path ON help_requests (path);
-- The job and the board read the open requests by deadline.
CREATE INDEX help_requests_open ON help_requests (status, ack_due) WHERE status <> 'resolved';

INSERT INTO alert_kinds (kind, label, tier, roles, ack_seconds, channels) VALUES
    ('help_unacked', '紧急求助未受理', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff,grid_worker', 600, 'log'),
    ('help_late', '紧急求助超时未办结', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff,grid_worker', 900, 'log');
