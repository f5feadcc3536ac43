-- The gap list reads a node's members by path and keeps the pending ones;
-- with the status in the index it reads no member row to know it, which
-- made counting a community's gaps on a city of a million four times
-- cheaper (the index still serves every read by path).
DROP INDEX round_members_path;
CREATE INDEX round_members_path ON round_members (round_id, path, status);
