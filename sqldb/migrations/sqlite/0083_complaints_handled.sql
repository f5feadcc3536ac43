-- A household's complaint gets handled: by whom, when, and a note of what
-- was done, which the household reads on its link. The order keeps how
-- many of its complaints were handled and the latest note, for the link.

ALTER TABLE delivery_complaints ADD COLUMN handled_at TIMESTAMP;
ALTER TABLE delivery_complaints ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE delivery_complaints ADD COLUMN handled_note TEXT NOT NULL DEFAULT '';
-- The office's list shows the open ones first.
CREATE INDEX delivery_complaints_open ON delivery_complaints (path) WHERE handled_at IS NULL;

ALTER TABLE supply_orders ADD COLUMN complaints_handled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supply_orders ADD COLUMN complaint_answer TEXT NOT NULL DEFAULT '';
