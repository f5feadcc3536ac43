-- Measures of a case's contacts live with the screening measures, so that
-- their follow-ups, self-report links and the restrictions every workflow
-- asks about come from one table: a measure now belongs to a campaign or
-- to a case.
ALTER TABLE screening_measures ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE screening_measures ALTER COLUMN visit_id SET DEFAULT 0;
ALTER TABLE screening_measures ADD COLUMN case_id BIGINT REFERENCES cases (id);
ALTER TABLE screening_measures ADD CONSTRAINT screening_measures_owner CHECK ((campaign_id IS NULL) <> (case_id IS NULL));
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
