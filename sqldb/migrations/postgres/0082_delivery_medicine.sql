-- Filled medicine rides a delivery run: a parcel is an order or a
-- medicine request (exactly one), ticked delivered or returned with the
-- household's other parcels. A medicine request keeps the run it went out
-- on and why it came back to the gate.

ALTER TABLE delivery_parcels ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE delivery_parcels ADD COLUMN medicine_id BIGINT REFERENCES medicine_requests (id);
ALTER TABLE delivery_parcels ADD CONSTRAINT delivery_parcels_one CHECK ((order_id IS NULL) <> (medicine_id IS NULL));
CREATE UNIQUE INDEX delivery_parcels_medicine ON delivery_parcels (run_id, medicine_id);
CREATE INDEX delivery_parcels_medicines ON delivery_parcels (medicine_id) WHERE medicine_id IS NOT NULL;

ALTER TABLE medicine_requests ADD COLUMN run_id BIGINT REFERENCES delivery_runs (id);
ALTER TABLE medicine_requests ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
-- The gate finds the filled requests of a building's households.
CREATE INDEX medicine_requests_filled ON medicine_requests (status, path) WHERE status = 'filled';
