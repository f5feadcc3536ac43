-- The place path of each piece of evidence, beside its place id: the
-- positives at or under a zone are then one range of an index, instead of
-- a walk of the zone's subtree in places joined back to the evidence.
-- RecordEvidence writes it and MovePlace rewrites it with the places.
ALTER TABLE zone_evidence ADD COLUMN path TEXT NOT NULL DEFAULT '';
UPDATE zone_evidence SET path = (SELECT p.path FROM places p WHERE p.id = zone_evidence.place_id);
CREATE INDEX zone_evidence_path ON zone_evidence (kind, path, at);
