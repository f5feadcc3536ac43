-- Cases (阳性病例), their contacts and their transfers (转运).

-- A confirmed positive. One open case per person: a second positive of a
-- person with an open case is the same case.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    household_id BIGINT NOT NULL,
    path         TEXT COLLATE "C" NOT NULL,
    source       TEXT NOT NULL,
    round_id     BIGINT,
    tube_code    TEXT NOT NULL DEFAULT '',
    pool_code    TEXT NOT NULL DEFAULT '',
    external_ref TEXT NOT NULL DEFAULT '',
    reporter     TEXT NOT NULL DEFAULT '',
    confirmed_at TIMESTAMPTZ NOT NULL,
    confirmed_by TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    closed_at    TIMESTAMPTZ,
    closed_by    TEXT NOT NULL DEFAULT '',
    close_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_path ON cases (path);
CREATE INDEX cases_person ON cases (person_id, status);
-- a report sent twice opens one case
CREATE UNIQUE INDEX cases_external ON cases (source, external_ref) WHERE external_ref <> '';

-- The persons linked to a case, each once, by the closest link.
CREATE TABLE case_contacts (
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    household_id BIGINT NOT NULL,
    path         TEXT COLLATE "C" NOT NULL,
    kind         TEXT NOT NULL,
    measure_id   BIGINT,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_contacts_person ON case_contacts (person_id);

CREATE TABLE transfers (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    household_id BIGINT NOT NULL,
    path         TEXT COLLATE "C" NOT NULL,
    measure_id   BIGINT,
    facility     TEXT NOT NULL,
    vehicle      TEXT NOT NULL DEFAULT '',
    crew         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    due_at       TIMESTAMPTZ,
    requested_at TIMESTAMPTZ NOT NULL,
    requested_by TEXT NOT NULL,
    assigned_at  TIMESTAMPTZ,
    assigned_by  TEXT NOT NULL DEFAULT '',
    picked_up_at TIMESTAMPTZ,
    picked_up_by TEXT NOT NULL DEFAULT '',
    arrived_at   TIMESTAMPTZ,
    arrived_by   TEXT NOT NULL DEFAULT '',
    cancelled_at TIMESTAMPTZ,
    cancelled_by TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transfers_case ON transfers (case_id);
CREATE INDEX transfers_path ON transfers (path);
-- one transfer under way per person
CREATE UNIQUE INDEX transfers_under_way ON transfers (person_id) WHERE status IN ('requested', 'assigned', 'picked_up');
CREATE INDEX transfers_due ON transfers (due_at) WHERE status IN ('requested', 'assigned', 'picked_up');
