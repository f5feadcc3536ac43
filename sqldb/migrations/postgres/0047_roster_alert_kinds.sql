-- The roster's alerts join the one inbox: a shift starting soon with places
-- open, and a worker who did not check in. Both are seen by the community's
-- command and staff and escalate when nobody takes them on.
INSERT INTO alert_kinds (kind, label, tier, roles, ack_seconds, channels) VALUES
    ('unfilled_shift', '班次缺人', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 1800, 'log'),
    ('no_show', '未到岗', 'community', 'city_admin,district_admin,subdistrict_admin,community_secretary,community_staff', 900, 'log');
