-- Resident lists uploaded on the web, between their check and their
-- import. data is the file, dropped (NULL) when the import ends; skipped
-- the rows not imported with their reasons, for the office to download.
CREATE TABLE resident_uploads (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL,
    under_id    BIGINT NOT NULL REFERENCES places (id),
    name        TEXT NOT NULL,
    sheet       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    data        BYTEA,
    preview     TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT '',
    failure     TEXT NOT NULL DEFAULT '',
    skipped     BYTEA,
    created_at  TIMESTAMPTZ NOT NULL,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX resident_uploads_created ON resident_uploads (created_at);
