-- Screening (摸排): risk-area list, measure rules, campaigns with a frozen
-- denominator, visits, measures, follow-up items, counters, reports.

-- Append-only: a new notice about an area is a new row. For a day, the
-- row recorded last among those covering it counts.
CREATE TABLE risk_areas (
    id          INTEGER PRIMARY KEY,
    area_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX risk_areas_key ON risk_areas (area_key, recorded_at);
CREATE INDEX risk_areas_from ON risk_areas (valid_from);

-- Versions of the classification rules; the newest decides.
CREATE TABLE measure_rules (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    rules      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE UNIQUE INDEX measure_rules_version ON measure_rules (version);

CREATE TABLE screening_campaigns (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    scope_id      INTEGER NOT NULL REFERENCES places (id),
    scope_path    TEXT NOT NULL,
    arrived_since TEXT NOT NULL,
    min_level     TEXT NOT NULL,
    deadline      TIMESTAMP NOT NULL,
    cutoff        TEXT NOT NULL,
    status        TEXT NOT NULL,
    households    INTEGER NOT NULL DEFAULT 0,
    opened_at     TIMESTAMP NOT NULL,
    opened_by     TEXT NOT NULL,
    closed_at     TIMESTAMP,
    closed_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX screening_campaigns_scope ON screening_campaigns (scope_path);

CREATE TABLE screening_teams (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES screening_campaigns (id),
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX screening_teams_name ON screening_teams (campaign_id, name);

CREATE TABLE screening_team_members (
    team_id INTEGER NOT NULL REFERENCES screening_teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX screening_team_members_user ON screening_team_members (user_id);

-- Who gets the households of each building (or of any node that holds
-- households directly) when a campaign opens or a household is added.
CREATE TABLE screening_assign (
    campaign_id INTEGER NOT NULL,
    place_id    INTEGER NOT NULL,
    user_id     INTEGER,
    team_id     INTEGER,
    PRIMARY KEY (campaign_id, place_id)
);

-- The frozen denominator: one row per household and campaign. The c_
-- columns are what the counting (last final) visit adds to the counters,
-- so a later final visit can replace it.
CREATE TABLE screening_households (
    campaign_id       INTEGER NOT NULL REFERENCES screening_campaigns (id),
    household_id      INTEGER NOT NULL,
    path              TEXT NOT NULL,
    building_id       INTEGER NOT NULL,
    user_id           INTEGER,
    team_id           INTEGER,
    status            TEXT NOT NULL DEFAULT 'pending',
    final             BOOLEAN NOT NULL DEFAULT FALSE,
    visits            INTEGER NOT NULL DEFAULT 0,
    last_visit_at     TIMESTAMP,
    counting_visit_id INTEGER,
    since             TIMESTAMP NOT NULL,
    added_late        BOOLEAN NOT NULL DEFAULT FALSE,
    added_by          TEXT NOT NULL DEFAULT '',
    c_persons         INTEGER NOT NULL DEFAULT 0,
    c_new             INTEGER NOT NULL DEFAULT 0,
    c_high            INTEGER NOT NULL DEFAULT 0,
    c_medium          INTEGER NOT NULL DEFAULT 0,
    c_low             INTEGER NOT NULL DEFAULT 0,
    c_isolation       INTEGER NOT NULL DEFAULT 0,
    c_monitoring      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, household_id),
    -- every household has exactly one assignee
    CHECK ((user_id IS NULL AND team_id IS NOT NULL) OR (user_id IS NOT NULL AND team_id IS NULL))
);
-- The gap list: the doors not final under a node, in path order.
CREATE INDEX screening_households_gap ON screening_households (campaign_id, final, path);
CREATE INDEX screening_households_user ON screening_households (campaign_id, user_id);
CREATE INDEX screening_households_team ON screening_households (campaign_id, team_id);

-- Counters per campaign and node (every node under the scope but the
-- households), kept in the same transaction as each visit.
CREATE TABLE screening_counts (
    campaign_id      INTEGER NOT NULL,
    place_id         INTEGER NOT NULL,
    parent_id        INTEGER NOT NULL DEFAULT 0,
    households       INTEGER NOT NULL DEFAULT 0,
    screened         INTEGER NOT NULL DEFAULT 0,
    not_home         INTEGER NOT NULL DEFAULT 0,
    refused          INTEGER NOT NULL DEFAULT 0,
    vacant           INTEGER NOT NULL DEFAULT 0,
    moved_out        INTEGER NOT NULL DEFAULT 0,
    persons          INTEGER NOT NULL DEFAULT 0,
    new_persons      INTEGER NOT NULL DEFAULT 0,
    returnees_high   INTEGER NOT NULL DEFAULT 0,
    returnees_medium INTEGER NOT NULL DEFAULT 0,
    returnees_low    INTEGER NOT NULL DEFAULT 0,
    isolation        INTEGER NOT NULL DEFAULT 0,
    monitoring       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, place_id)
);
CREATE INDEX screening_counts_parent ON screening_counts (campaign_id, parent_id);

-- client_id is the phone's UUID: a resend finds the visit it already made.
CREATE TABLE screening_visits (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES screening_campaigns (id),
    household_id INTEGER NOT NULL,
    client_id    TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    visited_at   TIMESTAMP NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    visitor      TEXT NOT NULL,
    visitor_id   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX screening_visits_client ON screening_visits (client_id);
CREATE INDEX screening_visits_household ON screening_visits (campaign_id, household_id);

CREATE TABLE screening_visit_persons (
    visit_id    INTEGER NOT NULL REFERENCES screening_visits (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    present     BOOLEAN NOT NULL,
    is_new      BOOLEAN NOT NULL DEFAULT FALSE,
    area_code   TEXT NOT NULL DEFAULT '',
    area_name   TEXT NOT NULL DEFAULT '',
    arrived_on  TEXT NOT NULL DEFAULT '',
    means       TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    health      TEXT NOT NULL DEFAULT '',
    temperature REAL NOT NULL DEFAULT 0,
    level       TEXT NOT NULL DEFAULT '',
    returnee    BOOLEAN NOT NULL DEFAULT FALSE,
    measure     TEXT NOT NULL DEFAULT '',
    measure_id  INTEGER NOT NULL DEFAULT 0,
    rule_version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (visit_id, person_id)
);

-- Persons a campaign found at the door who were not in the registry.
CREATE TABLE screening_found_persons (
    campaign_id  INTEGER NOT NULL REFERENCES screening_campaigns (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL,
    visit_id     INTEGER NOT NULL,
    found_at     TIMESTAMP NOT NULL,
    found_by     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, person_id)
);

CREATE TABLE screening_measures (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES screening_campaigns (id),
    visit_id        INTEGER NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES persons (id),
    household_id    INTEGER NOT NULL,
    path            TEXT NOT NULL,
    type            TEXT NOT NULL,
    level           TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    test_days       TEXT NOT NULL DEFAULT '',
    reports_per_day INTEGER NOT NULL DEFAULT 0,
    rule_version    INTEGER NOT NULL,
    status          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    ended_at        TIMESTAMP
);
CREATE INDEX screening_measures_household ON screening_measures (campaign_id, household_id);
CREATE INDEX screening_measures_path ON screening_measures (campaign_id, status, path);

CREATE TABLE screening_followups (
    id           INTEGER PRIMARY KEY,
    measure_id   INTEGER NOT NULL REFERENCES screening_measures (id),
    campaign_id  INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    path         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    day          INTEGER NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    done_at      TIMESTAMP,
    done_by      TEXT NOT NULL DEFAULT '',
    temperature  REAL NOT NULL DEFAULT 0,
    symptoms     TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    abnormal     BOOLEAN NOT NULL DEFAULT FALSE,
    handled_at   TIMESTAMP,
    handled_by   TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX screening_followups_measure ON screening_followups (measure_id);
CREATE INDEX screening_followups_due ON screening_followups (campaign_id, path, due_at);

-- Reports as submitted upward, kept unchanged.
CREATE TABLE screening_reports (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES screening_campaigns (id),
    place_id     INTEGER NOT NULL,
    path         TEXT NOT NULL,
    report_date  TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    submitted_by TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX screening_reports_campaign ON screening_reports (campaign_id, submitted_at);
