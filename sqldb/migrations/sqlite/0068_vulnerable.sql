-- The vulnerable (包保): every flagged resident of a sealed or controlled
-- zone has a named contact from the workforce, who checks on them every
-- day; needs found on a check become orders or requests; the secretary is
-- alerted by a set hour when someone has not been reached.

-- One contact per resident. source: 'responsible' (the household's
-- responsible worker, set when the zone was drawn), 'proposed' (awaiting
-- the secretary), 'confirmed' (set or confirmed by a person).
CREATE TABLE vulnerable_contacts (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id),
    worker_id INTEGER NOT NULL REFERENCES workers (id),
    source    TEXT NOT NULL,
    set_at    TIMESTAMP NOT NULL,
    set_by    TEXT NOT NULL
);
CREATE INDEX vulnerable_contacts_worker ON vulnerable_contacts (worker_id);

-- One row per check. path is the household's, so a node's checks of a day
-- are one range; day is the local day the check counts for.
CREATE TABLE vulnerable_checks (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL REFERENCES places (id),
    path         TEXT NOT NULL,
    day          TEXT NOT NULL,
    worker_id    INTEGER REFERENCES workers (id),
    method       TEXT NOT NULL,
    state        TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    check_key    TEXT NOT NULL DEFAULT '',
    checked_at   TIMESTAMP NOT NULL,
    checked_by   TEXT NOT NULL,
    purged_at    TIMESTAMP
);
CREATE INDEX vulnerable_checks_person ON vulnerable_checks (person_id, day);
CREATE INDEX vulnerable_checks_path ON vulnerable_checks (path, checked_at);
CREATE UNIQUE INDEX vulnerable_checks_key ON vulnerable_checks (person_id, check_key) WHERE check_key <> '';

-- Needs found on a check, and what each became (link_kind 'order', …).
CREATE TABLE vulnerable_needs (
    id           INTEGER PRIMARY KEY,
    check_id     INTEGER NOT NULL REFERENCES vulnerable_checks (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL REFERENCES places (id),
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    link_kind    TEXT NOT NULL DEFAULT '',
    link_id      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX vulnerable_needs_check ON vulnerable_needs (check_id);

-- A node's alert hour, minutes after local midnight; nodes without one
-- take the nearest node's above, else 16:00.
CREATE TABLE vulnerable_alert_hours (
    place_id  INTEGER PRIMARY KEY REFERENCES places (id),
    at_minute INTEGER NOT NULL,
    set_at    TIMESTAMP NOT NULL,
    set_by    TEXT NOT NULL
);

INSERT INTO alert_kinds (kind, label, tier, roles, ack_seconds, channels) VALUES
    ('vulnerable_unchecked', '特殊人群未联系', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 3600, 'log');
