-- Orders of households from partners: by a household's own link, by
-- staff on its behalf, or in a building's group order; their lines with
-- what was packed and any substitute; the links; the group orders.

CREATE TABLE supply_groups (
    id         BIGSERIAL PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES supply_partners (id),
    place_id   BIGINT NOT NULL REFERENCES places (id),
    path       TEXT NOT NULL,
    leader     TEXT NOT NULL,
    sent_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX supply_groups_path ON supply_groups (path);

CREATE TABLE supply_orders (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES places (id),
    partner_id   BIGINT NOT NULL REFERENCES supply_partners (id),
    group_id     BIGINT REFERENCES supply_groups (id),
    -- the household's path: scope and "everything under a node"
    path         TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('link', 'staff', 'group')),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'placed', 'packed', 'at_gate', 'out', 'delivered', 'returned', 'cancelled')),
    delivery_day TEXT NOT NULL,
    total        BIGINT NOT NULL,
    paid         BOOLEAN NOT NULL DEFAULT FALSE,
    note         TEXT NOT NULL DEFAULT '',
    order_key    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- A retried order acts once.
CREATE UNIQUE INDEX supply_orders_key ON supply_orders (household_id, order_key) WHERE order_key <> '';
CREATE INDEX supply_orders_partner ON supply_orders (partner_id, delivery_day, status);
CREATE INDEX supply_orders_path ON supply_orders (path);
CREATE INDEX supply_orders_group ON supply_orders (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX supply_orders_household ON supply_orders (household_id, delivery_day);

-- filled is -1 until the partner fills the line; a substitute is an item
-- packed in its place, which the household accepts or refuses.
CREATE TABLE supply_order_lines (
    id           BIGSERIAL PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES supply_orders (id),
    item_id      BIGINT NOT NULL REFERENCES supply_items (id),
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    price        BIGINT NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    filled       INTEGER NOT NULL DEFAULT -1,
    sub_item_id  BIGINT REFERENCES supply_items (id),
    sub_name     TEXT NOT NULL DEFAULT '',
    sub_unit     TEXT NOT NULL DEFAULT '',
    sub_price    BIGINT NOT NULL DEFAULT 0,
    sub_quantity INTEGER NOT NULL DEFAULT 0,
    sub_answer   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supply_order_lines_order ON supply_order_lines (order_id);

-- A household's own ordering link: only the secret's hash is kept.
CREATE TABLE supply_order_links (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES places (id),
    hash         TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used    TIMESTAMPTZ
);
CREATE INDEX supply_order_links_household ON supply_order_links (household_id);
