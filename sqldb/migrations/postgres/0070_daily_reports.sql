-- The daily report (日报): each node's cut-off, and the reports kept at a
-- cut-off or submitted, as they were then.

-- A node's cut-off (HH:MM local time); a node without one takes the
-- nearest set above it, else frontline.DefaultCutOff.
CREATE TABLE daily_cutoffs (
    place_id   BIGINT PRIMARY KEY REFERENCES places (id),
    cut_off    TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

-- One report per node and day. body is the report as JSON, written once:
-- submitting sets status and who, never the figures.
CREATE TABLE daily_reports (
    id           BIGSERIAL PRIMARY KEY,
    place_id     BIGINT NOT NULL REFERENCES places (id),
    path         TEXT COLLATE "C" NOT NULL,
    day          TEXT NOT NULL,
    status       TEXT NOT NULL,
    taken_at     TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    submitted_by TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL
);
CREATE UNIQUE INDEX daily_reports_day ON daily_reports (place_id, day);
CREATE INDEX daily_reports_path ON daily_reports (path, day);
