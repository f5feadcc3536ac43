-- The checklist a new checkpoint gets: data an admin edits for all posts
-- to come, where it was DefaultChecklist in code. A checkpoint copies the
-- lines when it is created (checkpoint_items), so an edit changes no post
-- already standing.
CREATE TABLE checklist_template (
    id       INTEGER PRIMARY KEY,
    item_key TEXT NOT NULL,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    need     INTEGER NOT NULL DEFAULT 0,
    unit     TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL
);
CREATE UNIQUE INDEX checklist_template_key ON checklist_template (item_key);

-- The report's list: frontline.DefaultChecklist, which a test keeps equal.
INSERT INTO checklist_template (item_key, name, kind, need, unit, position) VALUES
    ('tent', '帐篷', 'material', 1, '顶', 1),
    ('power', '电源', 'material', 1, '套', 2),
    ('stove', '炉子', 'material', 1, '个', 3),
    ('coal', '煤炭', 'material', 50, 'kg', 4),
    ('table', '桌子', 'material', 1, '张', 5),
    ('chairs', '椅子', 'material', 2, '把', 6),
    ('cordon', '警戒线', 'material', 50, '米', 7),
    ('thermometer', '体温枪', 'material', 2, '支', 8),
    ('disinfectant', '消毒液', 'material', 5, '瓶', 9),
    ('forms', '登记表', 'material', 1, '本', 10);
