-- The row /readyz writes (DB.ProbeWrite): a database that answers reads
-- but refuses writes (a full disk, a read-only file or standby) is not
-- ready, and only a write tells.
CREATE TABLE health_probe (
    id        INTEGER PRIMARY KEY,
    probed_at TIMESTAMP NOT NULL
);
