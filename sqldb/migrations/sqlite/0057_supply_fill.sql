-- Shops fill: when an order was packed, and when and by whom it was handed
-- over at its compound's gate.
ALTER TABLE supply_orders ADD COLUMN packed_at TIMESTAMP;
ALTER TABLE supply_orders ADD COLUMN handed_at TIMESTAMP;
ALTER TABLE supply_orders ADD COLUMN handed_by TEXT NOT NULL DEFAULT '';
