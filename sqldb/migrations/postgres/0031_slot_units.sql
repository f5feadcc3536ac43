-- A building called in parts says which units come down in each part.
ALTER TABLE sampling_slots ADD COLUMN units TEXT NOT NULL DEFAULT '';
