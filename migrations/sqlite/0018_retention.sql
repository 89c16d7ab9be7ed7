-- The retention schedule (issue 16, item 3): the runs of the retention
-- worker and `loket retention`, one lease row so only one instance applies
-- the schedule at a time, and the marks of anonymised rows.
CREATE TABLE retention_runs (
    id           TEXT PRIMARY KEY,
    -- 'worker' or 'cli'.
    trigger_kind TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    -- The clock the run applied the schedule at (unix ms).
    as_of        BIGINT NOT NULL,
    -- JSON: {"<kind>": <records removed or anonymised>, ...}.
    counts       TEXT NOT NULL DEFAULT '{}',
    files_removed BIGINT NOT NULL DEFAULT 0,
    error        TEXT
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);

CREATE TABLE retention_lease (
    id      BIGINT PRIMARY KEY,
    holder  TEXT,
    until   BIGINT NOT NULL
);
INSERT INTO retention_lease (id, holder, until) VALUES (1, NULL, 0);

ALTER TABLE contact_moments ADD COLUMN anonymised_at BIGINT;
ALTER TABLE vac_invitations ADD COLUMN anonymised_at BIGINT;
ALTER TABLE vac_reserve ADD COLUMN anonymised_at BIGINT;
CREATE INDEX contact_searches_created ON contact_searches (created_at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX access_log_at ON access_log (at);
