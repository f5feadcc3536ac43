-- Home sampling: a person excused from the site because they are
-- bedridden is not dropped, they get a task for the home sampling team,
-- kept with the re-tests (kind 'home') since the same team goes to the
-- same doors with the same single tubes. A home task has no source tube,
-- so source_tube_id becomes nullable; SQLite cannot drop a NOT NULL, so
-- the table is rebuilt (nothing references it).
CREATE TABLE retest_tasks_new (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES test_rounds (id),
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    household_id   INTEGER NOT NULL,
    -- 'retest' (a positive or invalid pool) or 'home' (sampled at home)
    kind           TEXT NOT NULL DEFAULT 'retest',
    -- the pool to re-test; NULL for a home task
    source_tube_id INTEGER REFERENCES tubes (id),
    status         TEXT NOT NULL,
    tube_id        INTEGER REFERENCES tubes (id),
    result         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    sampled_at     TIMESTAMP,
    sampled_by     TEXT NOT NULL DEFAULT '',
    done_at        TIMESTAMP,
    CHECK (kind = 'home' OR source_tube_id IS NOT NULL)
);
INSERT INTO retest_tasks_new (id, round_id, person_id, household_id, kind, source_tube_id, status, tube_id, result,
    created_at, sampled_at, sampled_by, done_at)
SELECT id, round_id, person_id, household_id, 'retest', source_tube_id, status, tube_id, result,
    created_at, sampled_at, sampled_by, done_at FROM retest_tasks;
DROP TABLE retest_tasks;
ALTER TABLE retest_tasks_new RENAME TO retest_tasks;
CREATE INDEX retest_tasks_round ON retest_tasks (round_id, status);
CREATE INDEX retest_tasks_tube ON retest_tasks (tube_id);
CREATE INDEX retest_tasks_person ON retest_tasks (round_id, person_id);
