-- The place path of each zone, as 0007 stores it on evidence: the active
-- zones under a node are then a range of a small partial index, whatever
-- the size of the node's subtree. Joined from places, the step-down checks
-- of a city walked every node of it to find a few dozen zones.
-- startZone writes it and MovePlace rewrites it with the places.
ALTER TABLE zones ADD COLUMN path TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE zones SET path = (SELECT p.path FROM places p WHERE p.id = zones.place_id);
CREATE INDEX zones_active_path ON zones (path) WHERE ended_at IS NULL;
