-- Retention rules (versioned), purge runs (the certificates), the
-- anonymised statistics kept before personal data is purged, and a mark on
-- every record a purge has emptied.

CREATE TABLE retention_rules (
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    keep_days  INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (version, kind)
);

CREATE TABLE purge_runs (
    id           INTEGER PRIMARY KEY,
    reason       TEXT NOT NULL,
    under_id     INTEGER NOT NULL DEFAULT 0,
    under_name   TEXT NOT NULL DEFAULT '',
    under_path   TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    actor        TEXT NOT NULL
);

CREATE TABLE purge_run_kinds (
    run_id    INTEGER NOT NULL REFERENCES purge_runs (id),
    kind      TEXT NOT NULL,
    records   INTEGER NOT NULL DEFAULT 0,
    first_day TEXT NOT NULL DEFAULT '',
    last_day  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, kind)
);

-- So many records of a kind, under a community, whose workflow ended that
-- day: written in the same transaction that empties the records.
CREATE TABLE purge_stats (
    kind     TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    day      TEXT NOT NULL,
    records  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, place_id, day)
);

ALTER TABLE round_members ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE screening_visits ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE screening_measures ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE passages ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE alerts ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE workers ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE persons ADD COLUMN purged_at TIMESTAMP;

-- The audit log stays append-only, with one exception: a purge may empty
-- the values (before, after) of an entry about a purged record, and
-- nothing else.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NEW.before <> '' OR NEW.after <> '' OR NEW.id <> OLD.id OR NEW.at <> OLD.at OR NEW.actor <> OLD.actor
    OR NEW.user_id <> OLD.user_id OR NEW.addr <> OLD.addr OR NEW.action <> OLD.action OR NEW.entity <> OLD.entity
    OR NEW.entity_id <> OLD.entity_id OR NEW.place_path <> OLD.place_path
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
