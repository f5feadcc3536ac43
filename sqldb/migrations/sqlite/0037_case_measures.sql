-- Measures of a case's contacts live with the screening measures, so that
-- their follow-ups, self-report links and the restrictions every workflow
-- asks about come from one table: a measure now belongs to a campaign or
-- to a case. SQLite cannot drop a NOT NULL, so the table is rebuilt under
-- its own name: the rows are kept aside, the table dropped (which leaves
-- the follow-ups and self-report links pointing at nothing, counted by the
-- deferred foreign-key check) and created again, and putting the rows back
-- points them at their measures again before the commit checks.
CREATE TABLE screening_measures_0037 AS SELECT * FROM screening_measures;
PRAGMA defer_foreign_keys = ON;
DROP TABLE screening_measures;
CREATE TABLE screening_measures (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER REFERENCES screening_campaigns (id),
    visit_id        INTEGER NOT NULL DEFAULT 0,
    person_id       INTEGER NOT NULL REFERENCES persons (id),
    household_id    INTEGER NOT NULL,
    path            TEXT NOT NULL,
    type            TEXT NOT NULL,
    level           TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    test_days       TEXT NOT NULL DEFAULT '',
    reports_per_day INTEGER NOT NULL DEFAULT 0,
    rule_version    INTEGER NOT NULL,
    status          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    ended_at        TIMESTAMP,
    case_id         INTEGER REFERENCES cases (id),
    CHECK ((campaign_id IS NULL) <> (case_id IS NULL))
);
INSERT INTO screening_measures (id, campaign_id, visit_id, person_id, household_id, path, type, level, start_date,
    end_date, test_days, reports_per_day, rule_version, status, created_at, ended_at)
SELECT id, campaign_id, visit_id, person_id, household_id, path, type, level, start_date,
    end_date, test_days, reports_per_day, rule_version, status, created_at, ended_at FROM screening_measures_0037;
DROP TABLE screening_measures_0037;
CREATE INDEX screening_measures_household ON screening_measures (campaign_id, household_id);
CREATE INDEX screening_measures_path ON screening_measures (campaign_id, status, path);
-- a person's restrictions read their active measures
CREATE INDEX screening_measures_person ON screening_measures (person_id, status);
CREATE INDEX screening_measures_case ON screening_measures (case_id);

-- The contact rules of a version of the measure rules ('' before they
-- existed: the defaults apply).
ALTER TABLE measure_rules ADD COLUMN contacts TEXT NOT NULL DEFAULT '';

-- A person's restrictions read whether they await a pool's single re-test
-- (an open or sampled re-test task); few persons do at any time, so the
-- index holds only them.
CREATE INDEX retest_tasks_awaiting ON retest_tasks (person_id) WHERE kind = 'retest' AND status IN ('open', 'sampled');
