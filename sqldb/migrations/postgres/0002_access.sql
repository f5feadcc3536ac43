-- Users, sessions, login failures, device tokens; audit searches by scope.

CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    login          TEXT NOT NULL,
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    -- the node the user works under: they see and change only what is below it
    scope_id       BIGINT NOT NULL REFERENCES places (id),
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    language       TEXT NOT NULL DEFAULT 'zh-CN',
    -- argon2id in PHC form: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash  TEXT NOT NULL,
    -- failed logins counted since failures_since, within the policy window
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    failures_since TIMESTAMPTZ,
    locked_until   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_login ON users (login);
CREATE INDEX users_scope ON users (scope_id);

-- A signed-in browser. id is the SHA-256 of the cookie's secret, so a
-- copy of the table signs no one in.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    -- the latest end, however active the session is
    expires_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    addr       TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins per remote address, counted within a window, so one
-- address cannot guess passwords across many accounts.
CREATE TABLE login_failures (
    addr         TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMPTZ
);

-- Device tokens (sampling stations, lab importers). Only the SHA-256 of
-- the secret is kept.
CREATE TABLE api_tokens (
    id         BIGSERIAL PRIMARY KEY,
    hash       TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    scope_id   BIGINT NOT NULL REFERENCES places (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_used  TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (hash);
CREATE INDEX api_tokens_scope ON api_tokens (scope_id);

-- Audit searches are always limited to a subtree and read newest first.
CREATE INDEX audit_log_place ON audit_log (place_path, at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
