-- OpenID Connect sign-in (issue 15, items 1, 2 and 5).

-- A sign-in started at a provider and not yet returned: the browser holds a
-- random secret in the `loket_oidc` cookie, this row only its hash, with the
-- state, nonce and PKCE verifier of that one request. Used once (deleted when
-- the provider sends the browser back), and for ten minutes at most.
CREATE TABLE oidc_pending (
    id_hash        TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    state          TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    next_path      TEXT NOT NULL DEFAULT '',
    user_id        TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX oidc_pending_expiry ON oidc_pending(expires_at);

-- How a session's person was identified: 'password', or 'eid' (the
-- residents' provider); with a provider, the ID token it gave (the hint for
-- RP-initiated logout) and which provider it was.
ALTER TABLE sessions ADD COLUMN identified_by TEXT NOT NULL DEFAULT 'password';
ALTER TABLE sessions ADD COLUMN oidc_provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;

-- How a case's submitter was identified (issue 15, item 3): 'eid',
-- 'password', 'counter' (staff at the counter or on the phone) or 'api';
-- NULL for cases submitted before this migration.
ALTER TABLE cases ADD COLUMN identified_by TEXT;

-- Staff single sign-on (issue 15, item 4): which Loket roles a group of
-- the city's directory gives, and which directory identity (issuer and
-- subject) is which account.
CREATE TABLE oidc_staff_roles (
    group_name  TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (group_name, role)
);

CREATE TABLE oidc_identities (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities(user_id);
