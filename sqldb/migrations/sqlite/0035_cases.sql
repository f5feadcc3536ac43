-- Cases (阳性病例), their contacts and their transfers (转运).

-- A confirmed positive. One open case per person: a second positive of a
-- person with an open case is the same case.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL,
    path         TEXT NOT NULL,
    source       TEXT NOT NULL,
    round_id     INTEGER,
    tube_code    TEXT NOT NULL DEFAULT '',
    pool_code    TEXT NOT NULL DEFAULT '',
    external_ref TEXT NOT NULL DEFAULT '',
    reporter     TEXT NOT NULL DEFAULT '',
    confirmed_at TIMESTAMP NOT NULL,
    confirmed_by TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    closed_at    TIMESTAMP,
    closed_by    TEXT NOT NULL DEFAULT '',
    close_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_path ON cases (path);
CREATE INDEX cases_person ON cases (person_id, status);
-- a report sent twice opens one case
CREATE UNIQUE INDEX cases_external ON cases (source, external_ref) WHERE external_ref <> '';

-- The persons linked to a case, each once, by the closest link.
CREATE TABLE case_contacts (
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL,
    path         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    measure_id   INTEGER,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_contacts_person ON case_contacts (person_id);

CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL,
    path         TEXT NOT NULL,
    measure_id   INTEGER,
    facility     TEXT NOT NULL,
    vehicle      TEXT NOT NULL DEFAULT '',
    crew         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    due_at       TIMESTAMP,
    requested_at TIMESTAMP NOT NULL,
    requested_by TEXT NOT NULL,
    assigned_at  TIMESTAMP,
    assigned_by  TEXT NOT NULL DEFAULT '',
    picked_up_at TIMESTAMP,
    picked_up_by TEXT NOT NULL DEFAULT '',
    arrived_at   TIMESTAMP,
    arrived_by   TEXT NOT NULL DEFAULT '',
    cancelled_at TIMESTAMP,
    cancelled_by TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transfers_case ON transfers (case_id);
CREATE INDEX transfers_path ON transfers (path);
-- one transfer under way per person
CREATE UNIQUE INDEX transfers_under_way ON transfers (person_id) WHERE status IN ('requested', 'assigned', 'picked_up');
CREATE INDEX transfers_due ON transfers (due_at) WHERE status IN ('requested', 'assigned', 'picked_up');
