-- Sign-in limits (frontline.LoginPolicy), counted here so that they hold
-- across every app server on one database: one counter per account (kind
-- 'account', addr ''), per account and client ('client') and per client
-- address ('address', login ''). attempts counts the attempts of the window
-- that did not succeed, those being checked included.
CREATE TABLE login_limits (
    kind         TEXT NOT NULL,
    login        TEXT NOT NULL,
    addr         TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL,
    locked_until TIMESTAMPTZ,
    PRIMARY KEY (kind, login, addr)
);
-- A new password clears a login's counters; sweeps find old windows.
CREATE INDEX login_limits_login ON login_limits (login);
CREATE INDEX login_limits_window ON login_limits (window_start);

-- Replaced by login_limits; users.locked_until stays, as the account's
-- lock shown on the users page.
DROP TABLE login_failures;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN failures_since;
