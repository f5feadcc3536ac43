-- A passage records the restriction (measure, case or transfer) that
-- decided or was noted at the gate, and the notes staff were shown.
ALTER TABLE passages ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE passages ADD COLUMN restriction_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE passages ADD COLUMN restriction_source TEXT NOT NULL DEFAULT '';
ALTER TABLE passages ADD COLUMN restriction_id INTEGER NOT NULL DEFAULT 0;
