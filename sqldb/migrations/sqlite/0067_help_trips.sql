-- Hospital trips of help requests: a car, a driver from the workforce,
-- the hospital and the times, with what the zone and the person's
-- restrictions said when it was planned. A trip on lets its person pass
-- gates (the restriction query reads help_trips_on).

CREATE TABLE help_trips (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES help_requests (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    -- the household's path, as the request's
    path        TEXT NOT NULL,
    plate       TEXT NOT NULL,
    driver_id   INTEGER NOT NULL REFERENCES workers (id),
    hospital    TEXT NOT NULL,
    leave_at    TIMESTAMP NOT NULL,
    left_at     TIMESTAMP,
    arrived_at  TIMESTAMP,
    returned_at TIMESTAMP,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'out', 'arrived', 'returned', 'cancelled')),
    zone_level  TEXT NOT NULL DEFAULT '',
    mode        TEXT NOT NULL CHECK (mode IN ('ordinary', 'closed_loop', 'transfer')),
    restriction TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX help_trips_request ON help_trips (request_id);
CREATE INDEX help_trips_on ON help_trips (person_id) WHERE status IN ('planned', 'out', 'arrived');
