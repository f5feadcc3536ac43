-- Sites and stations are set up from the round's setup page.
--
-- A station is retired, never deleted: its token is revoked, but its tubes
-- and bindings keep pointing at it. Its name becomes free again, so a lost
-- phone's station "1号台" can be replaced by a new "1号台" with a new token.
ALTER TABLE sampling_stations ADD COLUMN retired_at TIMESTAMP;
ALTER TABLE sampling_stations ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
DROP INDEX sampling_stations_name;
CREATE UNIQUE INDEX sampling_stations_name ON sampling_stations (site_id, name) WHERE retired_at IS NULL;

-- What a round's call-up plan was last saved with, so the plan keeps its
-- numbers: the page proposes the next plan from them, and anyone reading
-- the saved slots knows the station load and queue they were made for.
CREATE TABLE round_plans (
    round_id           INTEGER PRIMARY KEY REFERENCES test_rounds (id),
    per_station        INTEGER NOT NULL,
    min_per_station    INTEGER NOT NULL,
    max_per_station    INTEGER NOT NULL,
    queue_minutes      INTEGER NOT NULL,
    seconds_per_person INTEGER NOT NULL,
    lead_minutes       INTEGER NOT NULL,
    -- JSON array of channel names
    channels           TEXT NOT NULL,
    notice_template    TEXT NOT NULL,
    slots              INTEGER NOT NULL,
    notices            INTEGER NOT NULL,
    saved_at           TIMESTAMP NOT NULL,
    saved_by           TEXT NOT NULL
);
