-- Members whose result in the round is final and negative: a negative
-- pool, or a negative single re-test after a positive or invalid pool.
-- With it a node's counters tell at once whether everyone there was
-- tested negative, which is the "negative whole-area round" a zone's
-- step-down waits for. Only a sampled member has a result, so an excused
-- member who came to a table after all counts too.
ALTER TABLE round_counts ADD COLUMN negative INTEGER NOT NULL DEFAULT 0;

UPDATE round_counts SET negative = (
    SELECT COUNT(*) FROM round_members m, places p
    WHERE p.id = round_counts.place_id AND m.round_id = round_counts.round_id
      AND m.path >= p.path AND m.path < substr(p.path, 1, length(p.path) - 1) || '0'
      AND m.result = 'negative');
