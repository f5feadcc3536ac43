-- Zones, zone rules, zone evidence, checkpoints: setup checklists, the
-- material ledger, shifts and the log of passages.

-- Each level's rule as versions: an edit inserts the next version and the
-- old ones stay, so a zone or passage can say which version decided it.
CREATE TABLE zone_rules (
    id                 BIGSERIAL PRIMARY KEY,
    level              TEXT NOT NULL,
    version            INTEGER NOT NULL,
    movement           TEXT NOT NULL,
    door_delivery      BOOLEAN NOT NULL,
    home_sampling      BOOLEAN NOT NULL,
    pool_size          INTEGER NOT NULL,
    pool_per_household BOOLEAN NOT NULL,
    step_down_days     INTEGER NOT NULL,
    step_down_rounds   INTEGER NOT NULL,
    -- '' lifts the zone
    step_down_to       TEXT NOT NULL,
    leave_admission    TEXT NOT NULL,
    enter_admission    TEXT NOT NULL,
    test_within_hours  INTEGER NOT NULL,
    note               TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL,
    created_by         TEXT NOT NULL
);
CREATE UNIQUE INDEX zone_rules_version ON zone_rules (level, version);

-- Version 1 of each level: frontline.DefaultZoneRules, which a test keeps equal.
INSERT INTO zone_rules (level, version, movement, door_delivery, home_sampling, pool_size, pool_per_household,
    step_down_days, step_down_rounds, step_down_to, leave_admission, enter_admission, test_within_hours,
    note, created_at, created_by)
VALUES
    ('sealed', 1, 'stay_home', TRUE, TRUE, 1, FALSE, 7, 1, 'controlled', 'emergency', 'residents', 24,
     '', '2022-01-01 00:00:00+00:00', 'migration'),
    ('controlled', 1, 'stay_in_area', FALSE, FALSE, 10, FALSE, 3, 1, 'precaution', 'emergency', 'residents', 48,
     '', '2022-01-01 00:00:00+00:00', 'migration'),
    ('precaution', 1, 'normal', FALSE, FALSE, 20, FALSE, 3, 0, '', 'all', 'all', 48,
     '', '2022-01-01 00:00:00+00:00', 'migration');

-- One row per period of one level on one node. A row is never rewritten
-- except to end it; a change of level ends one row and starts the next.
CREATE TABLE zones (
    id            BIGSERIAL PRIMARY KEY,
    place_id      BIGINT NOT NULL REFERENCES places (id),
    level         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    evidence_kind TEXT NOT NULL DEFAULT '',
    evidence_ref  TEXT NOT NULL DEFAULT '',
    -- the rule version in force when the zone started
    rule_id       BIGINT NOT NULL REFERENCES zone_rules (id),
    decided_by    TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    ended_by      TEXT NOT NULL DEFAULT '',
    end_reason    TEXT NOT NULL DEFAULT '',
    previous_id   BIGINT REFERENCES zones (id)
);
-- At most one active zone per node, so two decisions racing on one node
-- cannot both stand; effective-level lookups read this small index.
CREATE UNIQUE INDEX zones_active ON zones (place_id) WHERE ended_at IS NULL;
CREATE INDEX zones_place ON zones (place_id, started_at);

-- Positives and negative whole-area rounds the step-down rules weigh.
CREATE TABLE zone_evidence (
    id          BIGSERIAL PRIMARY KEY,
    place_id    BIGINT NOT NULL REFERENCES places (id),
    kind        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    link_kind   TEXT NOT NULL DEFAULT '',
    link_ref    TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX zone_evidence_place ON zone_evidence (place_id, kind, at);

CREATE TABLE checkpoints (
    id         BIGSERIAL PRIMARY KEY,
    place_id   BIGINT NOT NULL REFERENCES places (id),
    name       TEXT NOT NULL,
    location   TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,
    -- HH:MM-HH:MM, '' for round the clock
    hours      TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX checkpoints_name ON checkpoints (place_id, name);

-- The setup checklist of each checkpoint: materials the ledger counts and
-- tasks staff tick off.
CREATE TABLE checkpoint_items (
    id            BIGSERIAL PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    item_key      TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    need          INTEGER NOT NULL DEFAULT 0,
    unit          TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL,
    done          BOOLEAN NOT NULL DEFAULT FALSE,
    done_at       TIMESTAMPTZ,
    done_by       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX checkpoint_items_key ON checkpoint_items (checkpoint_id, item_key);

-- Append-only: materials issued, restocked, used and returned.
CREATE TABLE material_entries (
    id            BIGSERIAL PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    item_id       BIGINT NOT NULL REFERENCES checkpoint_items (id),
    kind          TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    source        TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    at            TIMESTAMPTZ NOT NULL,
    recorded_by   TEXT NOT NULL
);
CREATE INDEX material_entries_checkpoint ON material_entries (checkpoint_id, item_id);

CREATE TABLE shifts (
    id            BIGSERIAL PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    starts_at     TIMESTAMPTZ NOT NULL,
    ends_at       TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX shifts_checkpoint ON shifts (checkpoint_id, ends_at);

CREATE TABLE shift_staff (
    id         BIGSERIAL PRIMARY KEY,
    shift_id   BIGINT NOT NULL REFERENCES shifts (id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    leader     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX shift_staff_shift ON shift_staff (shift_id);

-- Every passage and refusal at a checkpoint, with the decision's grounds.
CREATE TABLE passages (
    id               BIGSERIAL PRIMARY KEY,
    checkpoint_id    BIGINT NOT NULL REFERENCES checkpoints (id),
    kind             TEXT NOT NULL,
    person_id        BIGINT REFERENCES persons (id),
    name             TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    direction        TEXT NOT NULL,
    emergency        BOOLEAN NOT NULL DEFAULT FALSE,
    -- tenths of a degree Celsius, 0 when none was taken
    temperature      INTEGER NOT NULL DEFAULT 0,
    health_code      TEXT NOT NULL DEFAULT '',
    negative_test_at TIMESTAMPTZ,
    at               TIMESTAMPTZ NOT NULL,
    -- the start of the hour of at, so counts per hour group on a column
    at_hour          TIMESTAMPTZ NOT NULL,
    allowed          BOOLEAN NOT NULL,
    -- JSON array of frontline.Reason, '[]' when allowed
    reasons          TEXT NOT NULL DEFAULT '[]',
    from_level       TEXT NOT NULL DEFAULT '',
    to_level         TEXT NOT NULL DEFAULT '',
    from_rule_id     BIGINT REFERENCES zone_rules (id),
    to_rule_id       BIGINT REFERENCES zone_rules (id),
    recorded_by      TEXT NOT NULL
);
CREATE INDEX passages_checkpoint ON passages (checkpoint_id, at);
CREATE INDEX passages_hour ON passages (checkpoint_id, at_hour);
CREATE INDEX passages_person ON passages (person_id) WHERE person_id IS NOT NULL;
