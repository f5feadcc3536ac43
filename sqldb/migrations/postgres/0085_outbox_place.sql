-- The notices about a place, by status: the notices page lists and counts
-- those of the places in a user's scope (FindNotices, CountNotices).
CREATE INDEX outbox_place ON outbox (place_id, status);
