-- Resident lists uploaded on the web, between their check and their
-- import. data is the file, dropped (NULL) when the import ends; skipped
-- the rows not imported with their reasons, for the office to download.
CREATE TABLE resident_uploads (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    under_id    INTEGER NOT NULL REFERENCES places (id),
    name        TEXT NOT NULL,
    sheet       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    data        BLOB,
    preview     TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT '',
    failure     TEXT NOT NULL DEFAULT '',
    skipped     BLOB,
    created_at  TIMESTAMP NOT NULL,
    started_at  TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX resident_uploads_created ON resident_uploads (created_at);
