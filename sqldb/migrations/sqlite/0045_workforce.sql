-- The workforce: workers with or without an account, posts and their
-- shifts, who is on them, the roster rules as versions, the responsible
-- worker of households (包户到人), the alerts the roster raised, and the
-- workers on screening teams.

CREATE TABLE workers (
    id            INTEGER PRIMARY KEY,
    -- the node whose registry holds the worker: scope follows from it
    place_id      INTEGER NOT NULL REFERENCES places (id),
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    unit          TEXT NOT NULL DEFAULT '',
    -- sorted, comma-separated skill keys
    skills        TEXT NOT NULL DEFAULT '',
    user_id       INTEGER REFERENCES users (id),
    last_negative TIMESTAMP,
    note          TEXT NOT NULL DEFAULT '',
    retired       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
-- One worker per account.
CREATE UNIQUE INDEX workers_user ON workers (user_id) WHERE user_id IS NOT NULL;
-- An import recognises a worker by phone under the node, so a list sent
-- twice registers nobody twice.
CREATE UNIQUE INDEX workers_phone ON workers (place_id, phone) WHERE phone <> '';
-- Without a phone, by name within the unit: a form sent twice registers
-- nobody twice either.
CREATE UNIQUE INDEX workers_name ON workers (place_id, name, unit) WHERE phone = '';
CREATE INDEX workers_place ON workers (place_id, name);

-- The dates a worker is available (off = FALSE; none listed means every
-- day) and their days off (off = TRUE).
CREATE TABLE worker_days (
    worker_id INTEGER NOT NULL REFERENCES workers (id),
    day       TEXT NOT NULL,
    off       BOOLEAN NOT NULL,
    PRIMARY KEY (worker_id, day)
);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    place_id        INTEGER NOT NULL REFERENCES places (id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    location        TEXT NOT NULL DEFAULT '',
    checkpoint_id   INTEGER REFERENCES checkpoints (id),
    meets_residents BOOLEAN NOT NULL,
    leader_id       INTEGER REFERENCES workers (id),
    retired         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX posts_name ON posts (place_id, name);
CREATE UNIQUE INDEX posts_checkpoint ON posts (checkpoint_id) WHERE checkpoint_id IS NOT NULL;

-- assigned counts the assignments, kept in the transaction that changes
-- them, so open shifts are found without counting.
CREATE TABLE duty_shifts (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    role       TEXT NOT NULL DEFAULT '',
    starts_at  TIMESTAMP NOT NULL,
    ends_at    TIMESTAMP NOT NULL,
    headcount  INTEGER NOT NULL CHECK (headcount > 0),
    skills     TEXT NOT NULL DEFAULT '',
    assigned   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    -- the checkpoint shift 0046 carried over, for the record
    legacy_id  INTEGER
);
CREATE INDEX duty_shifts_post ON duty_shifts (post_id, starts_at);
CREATE INDEX duty_shifts_start ON duty_shifts (starts_at);

-- The shift's times are copied onto its assignments, so a worker's
-- bookings around a time are one range of duty_assignments_worker.
CREATE TABLE duty_assignments (
    id             INTEGER PRIMARY KEY,
    shift_id       INTEGER NOT NULL REFERENCES duty_shifts (id),
    worker_id      INTEGER NOT NULL REFERENCES workers (id),
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    leader         BOOLEAN NOT NULL DEFAULT FALSE,
    status         TEXT NOT NULL,
    override       TEXT NOT NULL DEFAULT '',
    checked_in_at  TIMESTAMP,
    checked_out_at TIMESTAMP,
    checked_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE UNIQUE INDEX duty_assignments_shift ON duty_assignments (shift_id, worker_id);
CREATE INDEX duty_assignments_worker ON duty_assignments (worker_id, starts_at);
-- The no-show check reads the assignments not checked in by start.
CREATE INDEX duty_assignments_due ON duty_assignments (starts_at) WHERE status = 'assigned';

-- Each version of the roster rules; the newest is in force. Durations in
-- minutes.
CREATE TABLE roster_rules (
    version         INTEGER PRIMARY KEY,
    max_shift       INTEGER NOT NULL,
    min_rest        INTEGER NOT NULL,
    max_hours       INTEGER NOT NULL,
    window_minutes  INTEGER NOT NULL,
    test_within     INTEGER NOT NULL,
    no_show_grace   INTEGER NOT NULL,
    unfilled_within INTEGER NOT NULL,
    check_in_early  INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL
);
-- Version 1: frontline.DefaultRosterRules, which a test keeps equal.
INSERT INTO roster_rules (version, max_shift, min_rest, max_hours, window_minutes, test_within, no_show_grace,
    unfilled_within, check_in_early, note, created_at, created_by)
VALUES (1, 720, 480, 3600, 10080, 2880, 30, 120, 60, '', '2022-01-01 00:00:00+00:00', 'migration');

-- The worker responsible for the households at or under a node, and who
-- covers when they are off.
CREATE TABLE responsibilities (
    place_id  INTEGER PRIMARY KEY REFERENCES places (id),
    worker_id INTEGER NOT NULL REFERENCES workers (id),
    cover_id  INTEGER REFERENCES workers (id),
    set_at    TIMESTAMP NOT NULL,
    set_by    TEXT NOT NULL
);
CREATE INDEX responsibilities_worker ON responsibilities (worker_id);

-- Alerts raised by the roster's jobs, one per kind and shift or
-- assignment: several servers run the jobs, and the first to insert the
-- row raises the alert.
CREATE TABLE roster_alerts (
    kind      TEXT NOT NULL,
    ref_id    INTEGER NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, ref_id)
);

-- Screening teams are made of workers: volunteers and cadres without an
-- account among them.
CREATE TABLE screening_team_workers (
    team_id   INTEGER NOT NULL REFERENCES screening_teams (id),
    worker_id INTEGER NOT NULL REFERENCES workers (id),
    PRIMARY KEY (team_id, worker_id)
);
