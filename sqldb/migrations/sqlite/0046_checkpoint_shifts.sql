-- The checkpoint shifts of 0003 become the roster's: every checkpoint gets
-- its post, the names typed into its shifts become workers, and each
-- shift becomes a shift of the post with those workers on it.
--
-- Names are matched to workers where they can be: the same phone on
-- several shifts is one worker, and so is the same name of the same unit
-- without a phone. A worker is registered under the node of the
-- checkpoint of their first shift, and linked to the one account (if
-- exactly one) with their name and phone.

INSERT INTO posts (place_id, kind, name, location, checkpoint_id, meets_residents, retired, created_at, created_by, updated_at)
SELECT place_id, 'checkpoint', name, location, id, TRUE, status = 'closed', created_at, created_by, updated_at
FROM checkpoints;

INSERT INTO workers (place_id, name, phone, kind, unit, created_at, created_by, updated_at)
SELECT
    (SELECT c.place_id FROM shift_staff s2 JOIN shifts h2 ON h2.id = s2.shift_id JOIN checkpoints c ON c.id = h2.checkpoint_id
     WHERE CASE WHEN s2.phone <> '' THEN 'p:' || s2.phone ELSE 'n:' || s2.name || '|' || s2.department END = g.k
     ORDER BY h2.starts_at, h2.id LIMIT 1),
    g.name, g.phone,
    CASE g.origin WHEN 'community' THEN 'community_staff' WHEN 'department' THEN 'department_staff' ELSE g.origin END,
    g.department, g.created_at, 'migration', g.created_at
FROM (SELECT CASE WHEN s.phone <> '' THEN 'p:' || s.phone ELSE 'n:' || s.name || '|' || s.department END AS k,
        MIN(s.name) AS name, MIN(s.phone) AS phone, MIN(s.origin) AS origin, MIN(s.department) AS department,
        MIN(h.created_at) AS created_at
      FROM shift_staff s JOIN shifts h ON h.id = s.shift_id
      GROUP BY CASE WHEN s.phone <> '' THEN 'p:' || s.phone ELSE 'n:' || s.name || '|' || s.department END) g;

UPDATE workers SET user_id = (SELECT MIN(u.id) FROM users u WHERE u.phone = workers.phone AND u.name = workers.name)
WHERE phone <> '' AND (SELECT COUNT(*) FROM users u WHERE u.phone = workers.phone AND u.name = workers.name) = 1;

-- The roster compares the times of shifts as text, written as
-- sqldb.timeValue writes them; 0003's shifts hold the driver's default
-- form of a UTC time ("2022-03-29 06:00:00 +0000 UTC"), rewritten here.
INSERT INTO duty_shifts (post_id, role, starts_at, ends_at, headcount, skills, assigned, created_at, created_by, legacy_id)
SELECT p.id, '', replace(s.starts_at, ' +0000 UTC', '+00:00'), replace(s.ends_at, ' +0000 UTC', '+00:00'), n.staff, '',
    n.staff, s.created_at, s.created_by, s.id
FROM shifts s
JOIN posts p ON p.checkpoint_id = s.checkpoint_id
JOIN (SELECT shift_id, COUNT(DISTINCT CASE WHEN phone <> '' THEN 'p:' || phone ELSE 'n:' || name || '|' || department END) AS staff
      FROM shift_staff GROUP BY shift_id) n ON n.shift_id = s.id;

INSERT INTO duty_assignments (shift_id, worker_id, starts_at, ends_at, leader, status, created_at, created_by)
SELECT d.id, w.id, d.starts_at, d.ends_at, MAX(CASE WHEN st.leader THEN 1 ELSE 0 END) = 1, 'assigned', d.created_at, d.created_by
FROM duty_shifts d
JOIN shift_staff st ON st.shift_id = d.legacy_id
JOIN workers w ON (st.phone <> '' AND w.phone = st.phone) OR (st.phone = '' AND w.phone = '' AND w.name = st.name AND w.unit = st.department)
GROUP BY d.id, w.id, d.starts_at, d.ends_at, d.created_at, d.created_by;

-- Nobody could check in to a shift before this migration: none of them is
-- a no-show.
INSERT INTO roster_alerts (kind, ref_id, raised_at)
SELECT 'no_show', a.id, a.created_at FROM duty_assignments a;

DROP TABLE shift_staff;
DROP TABLE shifts;
