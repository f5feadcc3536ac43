-- A resident import writes its rows in batches, each its own transaction,
-- so that other users' writes go between them. import_id marks the persons
-- and places a running import wrote: when it fails, or its server stops
-- (heartbeat_at no longer moves), they are deleted again, so an import
-- still ends with all of its rows or none.
CREATE TABLE resident_imports (
    id           BIGSERIAL PRIMARY KEY,
    upload_id    BIGINT,
    under_id     BIGINT NOT NULL REFERENCES places (id),
    file         TEXT NOT NULL,
    status       TEXT NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    checked      INTEGER NOT NULL DEFAULT 0,
    written      INTEGER NOT NULL DEFAULT 0,
    failure      TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX resident_imports_upload ON resident_imports (upload_id);
CREATE INDEX resident_imports_running ON resident_imports (status) WHERE status = 'running';
ALTER TABLE persons ADD COLUMN import_id BIGINT;
ALTER TABLE places ADD COLUMN import_id BIGINT;
