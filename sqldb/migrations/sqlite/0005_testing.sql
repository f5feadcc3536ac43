-- Test rounds: the frozen denominator, sites and stations, the call-up
-- plan, tubes and bindings (the hot path), bags, results, re-tests,
-- coverage counters and the notification outbox.

CREATE TABLE test_rounds (
    id          INTEGER PRIMARY KEY,
    scope_id    INTEGER NOT NULL REFERENCES places (id),
    name        TEXT NOT NULL,
    test_type   TEXT NOT NULL,
    day         TEXT NOT NULL,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    -- JSON: zone level -> {"mode": "pool", "size": 10}
    pool_policy TEXT NOT NULL,
    status      TEXT NOT NULL,
    expected    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    opened_at   TIMESTAMP,
    opened_by   TEXT NOT NULL DEFAULT '',
    closed_at   TIMESTAMP,
    closed_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX test_rounds_scope ON test_rounds (scope_id);

-- One row per person the round must reach, written when it opens. The
-- binding path only reads it: a person is sampled when they have a live
-- binding (bindings_person), so binding rewrites no member row. status is
-- pending or excused.
CREATE TABLE round_members (
    round_id     INTEGER NOT NULL REFERENCES test_rounds (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL,
    -- the household's path when the person joined the round: counters
    -- count them there for the whole round, as the denominator did
    path         TEXT NOT NULL,
    status       TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '',
    follow_up    TEXT NOT NULL DEFAULT '',
    excuse       TEXT NOT NULL DEFAULT '',
    excuse_note  TEXT NOT NULL DEFAULT '',
    excused_by   TEXT NOT NULL DEFAULT '',
    excused_at   TIMESTAMP,
    -- set for a person added after the round opened
    added_by     TEXT NOT NULL DEFAULT '',
    added_at     TIMESTAMP,
    PRIMARY KEY (round_id, person_id)
) WITHOUT ROWID;
CREATE INDEX round_members_household ON round_members (round_id, household_id);
-- the gap list of a building or a compound reads its members by path
CREATE INDEX round_members_path ON round_members (round_id, path);

-- Coverage counters per round and node above the households, kept in the
-- same transaction as every change of a member.
CREATE TABLE round_counts (
    round_id INTEGER NOT NULL,
    place_id INTEGER NOT NULL,
    expected INTEGER NOT NULL DEFAULT 0,
    sampled  INTEGER NOT NULL DEFAULT 0,
    excused  INTEGER NOT NULL DEFAULT 0,
    awaiting INTEGER NOT NULL DEFAULT 0,
    positive INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, place_id)
) WITHOUT ROWID;

-- Persons sampled per ten-minute bucket (unix seconds), per node ('p') for
-- the scope and three levels below it, and per station ('s').
CREATE TABLE sampling_flow (
    round_id INTEGER NOT NULL,
    scope    TEXT NOT NULL,
    key_id   INTEGER NOT NULL,
    bucket   INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (round_id, scope, key_id, bucket)
) WITHOUT ROWID;

CREATE TABLE sampling_sites (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES test_rounds (id),
    place_id   INTEGER NOT NULL REFERENCES places (id),
    name       TEXT NOT NULL,
    location   TEXT NOT NULL DEFAULT '',
    opens_at   TIMESTAMP NOT NULL,
    closes_at  TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX sampling_sites_round ON sampling_sites (round_id);

CREATE TABLE sampling_stations (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES test_rounds (id),
    site_id    INTEGER NOT NULL REFERENCES sampling_sites (id),
    name       TEXT NOT NULL,
    lane       TEXT NOT NULL DEFAULT '',
    token_id   INTEGER REFERENCES api_tokens (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sampling_stations_name ON sampling_stations (site_id, name);
CREATE UNIQUE INDEX sampling_stations_token ON sampling_stations (token_id);
CREATE INDEX sampling_stations_round ON sampling_stations (round_id);

CREATE TABLE sampling_slots (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES test_rounds (id),
    site_id     INTEGER NOT NULL REFERENCES sampling_sites (id),
    building_id INTEGER NOT NULL REFERENCES places (id),
    building    TEXT NOT NULL,
    part        INTEGER NOT NULL,
    parts       INTEGER NOT NULL,
    persons     INTEGER NOT NULL,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL
);
CREATE INDEX sampling_slots_round ON sampling_slots (round_id, site_id, starts_at);

CREATE TABLE bags (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES test_rounds (id),
    code        TEXT NOT NULL,
    station_id  INTEGER,
    expected    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    received_at TIMESTAMP,
    received_by TEXT NOT NULL DEFAULT '',
    received    INTEGER NOT NULL DEFAULT 0,
    -- tube codes, space-separated
    missing     TEXT NOT NULL DEFAULT '',
    extra       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX bags_code ON bags (code);
CREATE INDEX bags_round ON bags (round_id);

-- A tube's barcode is unique: it is how every later step finds it.
CREATE TABLE tubes (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES test_rounds (id),
    code         TEXT NOT NULL,
    station_id   INTEGER,
    mode         TEXT NOT NULL DEFAULT '',
    capacity     INTEGER NOT NULL DEFAULT 0,
    count        INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL,
    household_id INTEGER,
    retest       INTEGER NOT NULL DEFAULT 0,
    bag_id       INTEGER REFERENCES bags (id),
    result       TEXT NOT NULL DEFAULT '',
    opened_at    TIMESTAMP NOT NULL,
    opened_by    TEXT NOT NULL,
    sealed_at    TIMESTAMP,
    result_at    TIMESTAMP,
    CHECK (count >= 0 AND (capacity = 0 OR count <= capacity))
);
CREATE UNIQUE INDEX tubes_code ON tubes (code);
CREATE INDEX tubes_bag ON tubes (bag_id);

-- A person in a tube. One live binding per person per round is unique.
-- Every index here and on tubes costs the writer a page per station per
-- commit, so there are no others: a station's tubes are found through the
-- round.
CREATE TABLE bindings (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL,
    tube_id    INTEGER NOT NULL REFERENCES tubes (id),
    person_id  INTEGER NOT NULL,
    station_id INTEGER,
    bound_at   TIMESTAMP NOT NULL,
    bound_by   TEXT NOT NULL,
    undone_at  TIMESTAMP,
    undone_by  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX bindings_person ON bindings (person_id, round_id) WHERE undone_at IS NULL;
CREATE INDEX bindings_tube ON bindings (tube_id);

-- The requests that bound someone, by the id the station chose: a retried
-- request finds its first answer here (persons and their bindings) and
-- binds nothing again. One row per request, not an index entry per person.
CREATE TABLE sampling_requests (
    request_id TEXT NOT NULL PRIMARY KEY,
    round_id   INTEGER NOT NULL,
    tube_id    INTEGER NOT NULL,
    -- "person:binding" pairs, space-separated, in request order
    items      TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
) WITHOUT ROWID;

CREATE TABLE retest_tasks (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES test_rounds (id),
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    household_id   INTEGER NOT NULL,
    source_tube_id INTEGER NOT NULL REFERENCES tubes (id),
    status         TEXT NOT NULL,
    tube_id        INTEGER REFERENCES tubes (id),
    result         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    sampled_at     TIMESTAMP,
    sampled_by     TEXT NOT NULL DEFAULT '',
    done_at        TIMESTAMP
);
CREATE INDEX retest_tasks_round ON retest_tasks (round_id, status);
CREATE INDEX retest_tasks_tube ON retest_tasks (tube_id);
CREATE INDEX retest_tasks_person ON retest_tasks (round_id, person_id);

-- Notices to deliver, written in the transaction of the change they
-- announce; a worker delivers them and retries with backoff.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    topic           TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    place_id        INTEGER,
    round_id        INTEGER,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_round ON outbox (round_id, status);
