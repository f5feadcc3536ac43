-- The place tree, residents and the audit log.

CREATE TABLE places (
    id         BIGSERIAL PRIMARY KEY,
    parent_id  BIGINT REFERENCES places (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    code       TEXT NOT NULL DEFAULT '',
    -- materialized path of ancestor ids and the node's own: /1/7/42/;
    -- collation C so range scans on the prefix use byte order
    path       TEXT COLLATE "C" NOT NULL,
    -- counts of the whole subtree, kept exact by every write
    households BIGINT NOT NULL DEFAULT 0,
    residents  BIGINT NOT NULL DEFAULT 0,
    vulnerable BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX places_path ON places (path);
CREATE UNIQUE INDEX places_sibling ON places (COALESCE(parent_id, 0), kind, name);
CREATE INDEX places_code ON places (code) WHERE code <> '';

CREATE TABLE persons (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES places (id),
    name         TEXT COLLATE "C" NOT NULL,
    sex          TEXT NOT NULL DEFAULT '',
    birth_date   TEXT NOT NULL DEFAULT '',
    id_type      TEXT NOT NULL,
    id_number    TEXT COLLATE "C" NOT NULL,
    -- last four characters of the number: what people read out over a phone
    id_tail      TEXT COLLATE "C" NOT NULL,
    phone        TEXT COLLATE "C" NOT NULL DEFAULT '',
    relation     TEXT NOT NULL DEFAULT '',
    flags        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    updated_by   TEXT NOT NULL
);
CREATE UNIQUE INDEX persons_id_number ON persons (id_number, id_type);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_phone ON persons (phone) WHERE phone <> '';
CREATE INDEX persons_id_tail ON persons (id_tail);

-- Append-only: who changed what, from where, before and after.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    user_id    BIGINT NOT NULL DEFAULT 0,
    addr       TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT NOT NULL,
    -- the place the entity was under, so audit searches can be scoped
    place_path TEXT COLLATE "C" NOT NULL DEFAULT '',
    before     TEXT NOT NULL DEFAULT '',
    after      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
