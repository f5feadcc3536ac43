-- Medicine requests (送药): a household asks a pharmacy serving it for a
-- medicine, by its own link or through staff; the pharmacy fills it, asks
-- for a doctor's consultation or refuses with a reason; a named worker
-- delivers it. Chronic medicine is due 24 hours after the request, and a
-- late one alerts (kind medicine_late). A purge empties a request (its
-- photo too) once it is past its retention rule.

CREATE TABLE medicine_requests (
    id            BIGSERIAL PRIMARY KEY,
    household_id  BIGINT NOT NULL REFERENCES places (id),
    partner_id    BIGINT NOT NULL REFERENCES supply_partners (id),
    -- the household's path: scope and "everything under a node"
    path          TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('link', 'staff')),
    status        TEXT NOT NULL CHECK (status IN ('requested', 'consultation', 'filled', 'out', 'delivered', 'refused', 'cancelled')),
    medicine      TEXT NOT NULL,
    strength      TEXT NOT NULL DEFAULT '',
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    unit          TEXT NOT NULL DEFAULT '',
    chronic       BOOLEAN NOT NULL DEFAULT FALSE,
    -- the person it is for: a resident of the household when staff chose
    -- one, and in words ("本人", "母亲") as the household wrote it
    person_id     BIGINT REFERENCES persons (id),
    for_whom      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    photo         BYTEA,
    photo_type    TEXT NOT NULL DEFAULT '',
    -- a chronic request is due then; NULL for others
    due_at        TIMESTAMPTZ,
    consult_note  TEXT NOT NULL DEFAULT '',
    consult_at    TIMESTAMPTZ,
    given         TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL DEFAULT 0,
    paid          BOOLEAN NOT NULL DEFAULT FALSE,
    filled_at     TIMESTAMPTZ,
    refuse_reason TEXT NOT NULL DEFAULT '',
    worker_id     BIGINT REFERENCES workers (id),
    worker_name   TEXT NOT NULL DEFAULT '',
    delivered_at  TIMESTAMPTZ,
    request_key   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    purged_at     TIMESTAMPTZ
);
-- A retried request acts once.
CREATE UNIQUE INDEX medicine_requests_key ON medicine_requests (household_id, request_key) WHERE request_key <> '';
CREATE INDEX medicine_requests_partner ON medicine_requests (partner_id, status, created_at);
CREATE INDEX medicine_requests_path ON medicine_requests (path);
CREATE INDEX medicine_requests_household ON medicine_requests (household_id, created_at);
-- The job looks for chronic requests past due and not delivered.
CREATE INDEX medicine_requests_due ON medicine_requests (due_at) WHERE due_at IS NOT NULL AND delivered_at IS NULL;

INSERT INTO alert_kinds (kind, label, tier, roles, ack_seconds, channels) VALUES
    ('medicine_late', '慢病药送达超时', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff,grid_worker', 1800, 'log');

-- Medicine requests are a retention kind of their own ("medicine"): its
-- default days are frontline.DefaultRetention's, which hold for a kind no
-- saved version names (retention_rules comes later, in 0080).
