-- Distributions (保供包): a government package to every household of a
-- node. Starting one freezes its households (distribution_households)
-- and the counters of every node under its scope (distribution_counts),
-- the same frozen denominator as a screening campaign's.

CREATE TABLE distributions (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    contents   TEXT NOT NULL,
    scope_id   BIGINT NOT NULL REFERENCES places (id),
    scope_path TEXT COLLATE "C" NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    households INTEGER NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL,
    started_by TEXT NOT NULL,
    closed_at  TIMESTAMPTZ,
    closed_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX distributions_scope ON distributions (scope_path);

-- One row per household and distribution; final is set with a final
-- status, so the gap list is one index range.
CREATE TABLE distribution_households (
    distribution_id BIGINT NOT NULL REFERENCES distributions (id),
    household_id    BIGINT NOT NULL,
    path            TEXT COLLATE "C" NOT NULL,
    building_id     BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'refused', 'not_home', 'moved_out', 'not_applicable')),
    final           BOOLEAN NOT NULL DEFAULT FALSE,
    reason          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    marked_at       TIMESTAMPTZ,
    marked_by       TEXT NOT NULL DEFAULT '',
    since           TIMESTAMPTZ NOT NULL,
    added_late      BOOLEAN NOT NULL DEFAULT FALSE,
    added_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (distribution_id, household_id)
);
CREATE INDEX distribution_households_gap ON distribution_households (distribution_id, final, path);
-- The day's deliveries for the daily report.
CREATE INDEX distribution_households_marked ON distribution_households (distribution_id, marked_at);

-- Counters per distribution and node (every node under the scope but the
-- households), kept in the transaction of each mark.
CREATE TABLE distribution_counts (
    distribution_id BIGINT NOT NULL,
    place_id        BIGINT NOT NULL,
    parent_id       BIGINT NOT NULL DEFAULT 0,
    households      INTEGER NOT NULL DEFAULT 0,
    delivered       INTEGER NOT NULL DEFAULT 0,
    refused         INTEGER NOT NULL DEFAULT 0,
    not_home        INTEGER NOT NULL DEFAULT 0,
    moved_out       INTEGER NOT NULL DEFAULT 0,
    not_applicable  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (distribution_id, place_id)
);
CREATE INDEX distribution_counts_parent ON distribution_counts (distribution_id, parent_id);

-- Households delivered per node and local day: the dashboard's chart
-- reads a row per day instead of the deliveries.
CREATE TABLE distribution_days (
    distribution_id BIGINT NOT NULL,
    place_id        BIGINT NOT NULL,
    day             TEXT NOT NULL,
    delivered       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (distribution_id, place_id, day)
);

-- What a household eats that a package must mind (halal, diabetic); a
-- resident's own needs (an infant) are person flags.
CREATE TABLE household_needs (
    household_id BIGINT PRIMARY KEY REFERENCES places (id),
    needs        TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    updated_by   TEXT NOT NULL
);
