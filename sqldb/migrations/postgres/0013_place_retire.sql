-- A place is retired, never deleted: persons moved out, visits, bindings
-- and the audit log keep pointing at it. A retired place is no longer
-- listed or counted, and its name is free again under its parent, so a
-- rebuilt "3号楼" can be added beside the one pulled down.
ALTER TABLE places ADD COLUMN retired_at TIMESTAMPTZ;
ALTER TABLE places ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
DROP INDEX places_sibling;
CREATE UNIQUE INDEX places_sibling ON places (COALESCE(parent_id, 0), kind, name) WHERE retired_at IS NULL;
