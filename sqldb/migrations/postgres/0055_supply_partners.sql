-- Supplies (保供): partner shops and pharmacies, the places each serves,
-- the accounts that work for each, their catalogues, and the ordering
-- window of each node.

CREATE TABLE supply_partners (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('shop', 'pharmacy')),
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    -- the node of the office that arranged the partner: scope follows it
    place_id   BIGINT NOT NULL REFERENCES places (id),
    path       TEXT NOT NULL,
    retired    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (place_id, name)
);
CREATE INDEX supply_partners_path ON supply_partners (path);

-- The nodes whose households a partner serves; a household finds its
-- partners by its ancestors' paths.
CREATE TABLE supply_partner_areas (
    partner_id BIGINT NOT NULL REFERENCES supply_partners (id),
    place_id   BIGINT NOT NULL REFERENCES places (id),
    path       TEXT NOT NULL,
    PRIMARY KEY (partner_id, place_id)
);
CREATE INDEX supply_partner_areas_path ON supply_partner_areas (path);

-- The accounts that work for a partner.
CREATE TABLE supply_partner_users (
    partner_id BIGINT NOT NULL REFERENCES supply_partners (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (partner_id, user_id)
);
CREATE INDEX supply_partner_users_user ON supply_partner_users (user_id);

-- A partner's catalogue; prices in fen. An item is known by its article
-- number when it has one, else by name, size and unit (item_key).
CREATE TABLE supply_items (
    id          BIGSERIAL PRIMARY KEY,
    partner_id  BIGINT NOT NULL REFERENCES supply_partners (id),
    item_key    TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    spec        TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    price       BIGINT NOT NULL CHECK (price >= 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    max_per_household INTEGER NOT NULL DEFAULT 0 CHECK (max_per_household >= 0),
    retired     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (partner_id, item_key)
);

-- The ordering window of a node: orders until cutoff (minutes after local
-- midnight) arrive delivery_days later.
CREATE TABLE supply_windows (
    id            BIGSERIAL PRIMARY KEY,
    place_id      BIGINT NOT NULL UNIQUE REFERENCES places (id),
    path          TEXT NOT NULL,
    cutoff        INTEGER NOT NULL CHECK (cutoff >= 0 AND cutoff < 1440),
    delivery_days INTEGER NOT NULL CHECK (delivery_days >= 0 AND delivery_days <= 7),
    closed        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE INDEX supply_windows_path ON supply_windows (path);
