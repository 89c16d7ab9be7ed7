-- Cases: the service catalogue (definitions are data, versioned), cases,
-- their timeline, drafts and uploaded files.
-- Keep in step with migrations/postgres/0002_cases.sql.

CREATE TABLE services (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    department  TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE service_versions (
    service_id  TEXT NOT NULL REFERENCES services(id),
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT,
    PRIMARY KEY (service_id, version)
);

CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    service_id      TEXT NOT NULL REFERENCES services(id),
    service_version INTEGER NOT NULL,
    resident_id     TEXT NOT NULL REFERENCES users(id),
    channel         TEXT NOT NULL,
    assisted_by     TEXT REFERENCES users(id),
    status          TEXT NOT NULL,
    data            TEXT NOT NULL,
    department      TEXT NOT NULL,
    assignee_id     TEXT REFERENCES users(id),
    submitted_at    INTEGER NOT NULL,
    due_date        TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE INDEX cases_resident ON cases(resident_id, submitted_at);
CREATE INDEX cases_queue ON cases(department, status, due_date);
CREATE INDEX cases_assignee ON cases(assignee_id, status);

CREATE TABLE case_events (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    transition   TEXT,
    actor_id     TEXT,
    body         TEXT,
    internal     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_events_case ON case_events(case_id, at);

CREATE TABLE case_drafts (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service_id  TEXT NOT NULL REFERENCES services(id),
    data        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, service_id)
);

-- Uploaded files: stored outside the web root under <data_dir>/uploads,
-- kept with their SHA-256. A file belongs to a draft (case_id NULL) until
-- the case is submitted.
CREATE TABLE case_files (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL REFERENCES users(id),
    service_id   TEXT NOT NULL REFERENCES services(id),
    field_key    TEXT NOT NULL,
    case_id      TEXT REFERENCES cases(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    path         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX case_files_owner ON case_files(owner_id, service_id, case_id);
CREATE INDEX case_files_case ON case_files(case_id);

-- Documents Loket issues (receipt, decision letter, permit), stored as PDF
-- outside the web root with their SHA-256. Permits and decisions carry a
-- public verification code.
CREATE TABLE case_documents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    path         TEXT NOT NULL,
    verify_code  TEXT UNIQUE,
    valid_from   TEXT,
    valid_until  TEXT,
    revoked_at   INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX case_documents_case ON case_documents(case_id, created_at);
