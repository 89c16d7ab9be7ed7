-- Data-protection requests (issue 16, item 2; GDPR articles 15 to 18): a
-- person's request for access, erasure, restriction or rectification, its
-- legal basis, the day it came in and its deadline (one month later), and
-- its steps: 'open', 'in_progress', 'done' or 'refused' (with the reason
-- in `outcome`). Each step is audited; the outcome goes to the person by
-- mail or letter.
CREATE TABLE privacy_requests (
    id               TEXT PRIMARY KEY,
    subject_user_id  TEXT NOT NULL REFERENCES users(id),
    -- 'access', 'erasure', 'restriction', 'rectification'.
    kind             TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    -- Calendar dates, YYYY-MM-DD.
    received_on      TEXT NOT NULL,
    deadline         TEXT NOT NULL,
    status           TEXT NOT NULL,
    outcome          TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    closed_at        BIGINT
);
CREATE INDEX privacy_requests_open ON privacy_requests (status, deadline);
CREATE INDEX privacy_requests_subject ON privacy_requests (subject_user_id, created_at);
