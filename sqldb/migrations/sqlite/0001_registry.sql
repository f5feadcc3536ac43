-- The place tree, residents and the audit log.

CREATE TABLE places (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES places (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    code       TEXT NOT NULL DEFAULT '',
    -- materialized path of ancestor ids and the node's own: /1/7/42/
    path       TEXT NOT NULL,
    -- counts of the whole subtree, kept exact by every write
    households INTEGER NOT NULL DEFAULT 0,
    residents  INTEGER NOT NULL DEFAULT 0,
    vulnerable INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX places_path ON places (path);
CREATE UNIQUE INDEX places_sibling ON places (COALESCE(parent_id, 0), kind, name);
CREATE INDEX places_code ON places (code) WHERE code <> '';

CREATE TABLE persons (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES places (id),
    name         TEXT NOT NULL,
    sex          TEXT NOT NULL DEFAULT '',
    birth_date   TEXT NOT NULL DEFAULT '',
    id_type      TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    -- last four characters of the number: what people read out over a phone
    id_tail      TEXT NOT NULL,
    phone        TEXT NOT NULL DEFAULT '',
    relation     TEXT NOT NULL DEFAULT '',
    flags        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL
);
CREATE UNIQUE INDEX persons_id_number ON persons (id_number, id_type);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_phone ON persons (phone) WHERE phone <> '';
CREATE INDEX persons_id_tail ON persons (id_tail);

-- Append-only: who changed what, from where, before and after.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL,
    user_id   INTEGER NOT NULL DEFAULT 0,
    addr      TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    -- the place the entity was under, so audit searches can be scoped
    place_path TEXT NOT NULL DEFAULT '',
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
