-- The contact centre's mail-in sources (a Maildir, an IMAP account): when
-- each was last read without error, and its last error, so the report page
-- shows a source that has been failing instead of leaving it to the logs.
CREATE TABLE contact_mail_sources (
    source         TEXT PRIMARY KEY,
    last_ok_at     INTEGER,
    last_error_at  INTEGER,
    last_error     TEXT,
    updated_at     INTEGER NOT NULL
);
