-- Filled medicine rides a delivery run: a parcel is an order or a
-- medicine request (exactly one), ticked delivered or returned with the
-- household's other parcels. A medicine request keeps the run it went out
-- on and why it came back to the gate. SQLite cannot drop a NOT NULL, so
-- delivery_parcels is rebuilt (nothing refers to it).

CREATE TABLE delivery_parcels_new (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES delivery_runs (id),
    order_id     INTEGER REFERENCES supply_orders (id),
    medicine_id  INTEGER REFERENCES medicine_requests (id),
    household_id INTEGER NOT NULL REFERENCES places (id),
    path         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('out', 'delivered', 'returned')),
    drop_at      TEXT NOT NULL DEFAULT '' CHECK (drop_at IN ('', 'door', 'front')),
    at           TIMESTAMP,
    by_actor     TEXT NOT NULL DEFAULT '',
    worker_id    INTEGER REFERENCES workers (id),
    reason       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    CHECK ((order_id IS NULL) <> (medicine_id IS NULL))
);
INSERT INTO delivery_parcels_new (id, run_id, order_id, household_id, path, status, drop_at, at, by_actor, worker_id, reason, note)
    SELECT id, run_id, order_id, household_id, path, status, drop_at, at, by_actor, worker_id, reason, note FROM delivery_parcels;
DROP TABLE delivery_parcels;
ALTER TABLE delivery_parcels_new RENAME TO delivery_parcels;
CREATE UNIQUE INDEX delivery_parcels_order ON delivery_parcels (run_id, order_id);
CREATE INDEX delivery_parcels_orders ON delivery_parcels (order_id);
CREATE UNIQUE INDEX delivery_parcels_medicine ON delivery_parcels (run_id, medicine_id);
CREATE INDEX delivery_parcels_medicines ON delivery_parcels (medicine_id) WHERE medicine_id IS NOT NULL;

ALTER TABLE medicine_requests ADD COLUMN run_id INTEGER REFERENCES delivery_runs (id);
ALTER TABLE medicine_requests ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
-- The gate finds the filled requests of a building's households.
CREATE INDEX medicine_requests_filled ON medicine_requests (status, path) WHERE status = 'filled';
