-- The last hundred metres: delivery runs from a compound's gate, each
-- order on a run as a parcel that ends delivered or returned with a
-- reason, and what households say about their orders through their link.

CREATE TABLE delivery_runs (
    id         INTEGER PRIMARY KEY,
    place_id   INTEGER NOT NULL REFERENCES places (id),
    -- the compound's path: scope and "everything under a node"
    path       TEXT NOT NULL,
    day        TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    worker_id  INTEGER REFERENCES workers (id),
    post_id    INTEGER REFERENCES posts (id),
    -- the buildings served, as ids separated by commas, in order
    buildings  TEXT NOT NULL,
    run_key    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    closed_at  TIMESTAMP,
    closed_by  TEXT NOT NULL DEFAULT '',
    purged_at  TIMESTAMP,
    CHECK (worker_id IS NOT NULL OR post_id IS NOT NULL)
);
CREATE INDEX delivery_runs_path ON delivery_runs (path, day);
CREATE INDEX delivery_runs_worker ON delivery_runs (worker_id, day) WHERE worker_id IS NOT NULL;
CREATE INDEX delivery_runs_post ON delivery_runs (post_id, day) WHERE post_id IS NOT NULL;
-- A retried request makes one run.
CREATE UNIQUE INDEX delivery_runs_key ON delivery_runs (place_id, run_key) WHERE run_key <> '';

-- drop is where the parcel was left (door, front) once delivered.
CREATE TABLE delivery_parcels (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES delivery_runs (id),
    order_id     INTEGER NOT NULL REFERENCES supply_orders (id),
    household_id INTEGER NOT NULL REFERENCES places (id),
    path         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('out', 'delivered', 'returned')),
    drop_at      TEXT NOT NULL DEFAULT '' CHECK (drop_at IN ('', 'door', 'front')),
    at           TIMESTAMP,
    by_actor     TEXT NOT NULL DEFAULT '',
    worker_id    INTEGER REFERENCES workers (id),
    reason       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX delivery_parcels_order ON delivery_parcels (run_id, order_id);
CREATE INDEX delivery_parcels_orders ON delivery_parcels (order_id);

-- What a household said about an order through its link.
CREATE TABLE delivery_complaints (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES supply_orders (id),
    partner_id   INTEGER NOT NULL REFERENCES supply_partners (id),
    path         TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX delivery_complaints_path ON delivery_complaints (path);
CREATE INDEX delivery_complaints_partner ON delivery_complaints (partner_id);

-- The order keeps where it ended: delivered (when, where) or returned
-- (why), and when the household confirmed it received it.
ALTER TABLE supply_orders ADD COLUMN delivered_at TIMESTAMP;
ALTER TABLE supply_orders ADD COLUMN drop_at TEXT NOT NULL DEFAULT '';
ALTER TABLE supply_orders ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE supply_orders ADD COLUMN received_at TIMESTAMP;
ALTER TABLE supply_orders ADD COLUMN complaints INTEGER NOT NULL DEFAULT 0;

