-- Home sampling: a person excused from the site because they are
-- bedridden is not dropped, they get a task for the home sampling team,
-- kept with the re-tests (kind 'home') since the same team goes to the
-- same doors with the same single tubes. A home task has no source tube.
ALTER TABLE retest_tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'retest';
ALTER TABLE retest_tasks ALTER COLUMN source_tube_id DROP NOT NULL;
ALTER TABLE retest_tasks ADD CONSTRAINT retest_tasks_source CHECK (kind = 'home' OR source_tube_id IS NOT NULL);
