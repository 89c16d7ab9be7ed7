-- Rate-limit counters shared by every instance (loket_store::limits): one
-- row per scope, hashed key and fixed window.
CREATE TABLE rate_counters (
    scope         TEXT NOT NULL,
    key_hash      TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, key_hash, window_start)
);
CREATE INDEX rate_counters_expiry ON rate_counters(expires_at);

-- Reserve-list sign-ups waiting for their e-mail link: only a confirmed
-- sign-up joins vac_reserve, and never changes an entry already there.
CREATE TABLE vac_reserve_pending (
    id               TEXT PRIMARY KEY,
    campaign_id      TEXT NOT NULL REFERENCES vac_campaigns(id),
    national_number  TEXT NOT NULL,
    name             TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    email            TEXT NOT NULL,
    phone            TEXT,
    group_rank       BIGINT NOT NULL,
    token_hash       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX vac_reserve_pending_expiry ON vac_reserve_pending(expires_at);

-- The accounts `loket demo` created: the demo refuses a database holding
-- any other account, and `loket serve` warns while an account still has
-- the demo password.
CREATE TABLE demo_accounts (
    user_id  TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE
);

-- A mail that named a contact moment's reference without the reply token
-- Loket put in its mail, from another address than the moment's: it became
-- a new moment, marked so (1), and never joins the named one.
ALTER TABLE contact_moments ADD COLUMN sender_unverified BIGINT NOT NULL DEFAULT 0;

-- Waiting-room tickets used up by a booking: a ticket books once.
CREATE TABLE vac_tickets_used (
    campaign_id  TEXT NOT NULL REFERENCES vac_campaigns(id),
    number       BIGINT NOT NULL,
    used_at      BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, number)
);
