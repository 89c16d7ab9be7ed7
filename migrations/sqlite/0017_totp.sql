-- A TOTP second factor for local staff accounts (issue 15, item 8).
-- Keep in step with migrations/postgres/0017_totp.sql.

-- A session half signed in: the password was right, the second factor is
-- still to come. user_id stays NULL until then, so such a session is
-- nobody's on every other page.
ALTER TABLE sessions ADD COLUMN pending_user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX sessions_pending_user ON sessions(pending_user_id);

-- One authenticator per account. secret is the RFC 6238 key in base32
-- (SHA-1, 6 digits, 30 s). confirmed_at is NULL while the person is
-- enrolling (the first code not yet given). last_step is the last 30 s
-- step whose code was accepted: a code of that step or an earlier one is
-- refused (replay).
CREATE TABLE totp_factors (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

-- Recovery codes, ten per account, each working once. Stored as the
-- SHA-256 of the code (80 random bits each), like session ids.
CREATE TABLE totp_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);
