-- The contact centre, continued: the service-level clock of a forward
-- paused while the department waits for the resident, follow-up messages
-- on a contact moment (e-mail in, threaded by reference), e-mail files
-- that could not be read, and the agents' searches (for the report of
-- knowledge-base gaps).
-- Keep in step with migrations/postgres/0011_contact_more.sql.

-- status is now 'open', 'waiting' (for the resident: the clock is paused
-- since paused_on) or 'answered'. paused_days: the working days the clock
-- stood still so far (already added to due_on).
ALTER TABLE contact_forwards ADD COLUMN paused_on TEXT;
ALTER TABLE contact_forwards ADD COLUMN paused_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_forwards ADD COLUMN waiting_question TEXT NOT NULL DEFAULT '';

-- Messages after the first question: e-mail replies from the resident
-- ('in') and questions sent to them ('out').
CREATE TABLE contact_messages (
    id          TEXT PRIMARY KEY,
    moment_id   TEXT NOT NULL REFERENCES contact_moments(id),
    direction   TEXT NOT NULL,
    sender      TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    -- The Message-ID header of an imported e-mail: each is imported once.
    message_id  TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX contact_messages_moment ON contact_messages (moment_id, created_at);

-- The Message-ID of the e-mail a moment was created from.
ALTER TABLE contact_moments ADD COLUMN message_id TEXT;
CREATE UNIQUE INDEX contact_moments_message_id ON contact_moments (message_id);

-- Mail files that could not be read: moved aside, reported here.
CREATE TABLE contact_mail_rejects (
    id          TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Searches by agents and residents: the report's knowledge-base gaps.
CREATE TABLE contact_searches (
    id          TEXT PRIMARY KEY,
    day         TEXT NOT NULL,
    lang        TEXT NOT NULL,
    query       TEXT NOT NULL,
    results     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX contact_searches_day ON contact_searches (day);
