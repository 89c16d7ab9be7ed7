-- Accounts that end, and API tokens with an expiry and scopes (issue 15,
-- items 6 and 7). Keep in step with migrations/sqlite/0016_accounts.sql.

-- Why an account was disabled (users.disabled_at, from 0001, says when).
ALTER TABLE users ADD COLUMN disabled_reason TEXT NOT NULL DEFAULT '';

-- A token works until expires_at (unix ms) and only on the routes its
-- scopes allow: a space-separated list such as 'cases:read cases:write',
-- or '*' for every scope. Tokens made before this migration keep every
-- scope and expire 90 days after it ran.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '*';
UPDATE api_tokens SET expires_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) + 7776000000
WHERE expires_at IS NULL;

-- Staff records whose end date the worker has handled (account disabled,
-- ICT mailed). One row per record and end date: inserting it claims the
-- work, so two instances never do it twice; a new end date is handled
-- anew.
CREATE TABLE staff_endings (
    staff_id    TEXT NOT NULL REFERENCES staff_members(id) ON DELETE CASCADE,
    end_date    TEXT NOT NULL,
    user_id     TEXT REFERENCES users(id),
    loans       BIGINT NOT NULL,
    handled_at  BIGINT NOT NULL,
    PRIMARY KEY (staff_id, end_date)
);
