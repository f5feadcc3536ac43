-- Orders from partners are a kind of personal record with a retention
-- rule: a purge marks the orders it has emptied.
ALTER TABLE supply_orders ADD COLUMN purged_at TIMESTAMPTZ;
