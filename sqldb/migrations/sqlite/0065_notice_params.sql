-- Named values of a notice (a time, a place), for SMS providers that send
-- approved templates with parameters; JSON, {} when none.
ALTER TABLE outbox ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
