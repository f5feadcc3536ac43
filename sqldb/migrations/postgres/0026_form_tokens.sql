-- The tokens of forms that were sent (frontline.FormService): a form sent
-- twice, by a double tap or by going back, is acted on once and the second
-- sending is led to the first one's answer. done_at is NULL while the
-- first sending is being acted on.
CREATE TABLE form_tokens (
    token      TEXT PRIMARY KEY,
    actor      TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    location   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX form_tokens_claimed ON form_tokens (claimed_at);
