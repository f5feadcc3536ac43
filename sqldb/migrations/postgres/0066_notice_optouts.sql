-- Mobile numbers that asked for no more notices to residents (退订).
CREATE TABLE notice_optouts (
    phone      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);
-- Notices to one number, to withdraw those not yet sent when it opts out.
CREATE INDEX outbox_recipient_pending ON outbox (recipient) WHERE status = 'pending';
