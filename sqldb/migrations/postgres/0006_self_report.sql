-- Links through which a resident under a measure enters their own health
-- reports. Only the SHA-256 of the secret is kept; a new link for a
-- measure revokes the earlier one.
CREATE TABLE screening_report_links (
    id         BIGSERIAL PRIMARY KEY,
    measure_id BIGINT NOT NULL REFERENCES screening_measures (id),
    hash       TEXT NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_used  TIMESTAMPTZ
);
CREATE UNIQUE INDEX screening_report_links_hash ON screening_report_links (hash);
CREATE INDEX screening_report_links_measure ON screening_report_links (measure_id);
