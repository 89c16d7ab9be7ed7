-- Staff shifts of the vaccination centre: roles and qualifications, shifts
-- per day and role with the headcount needed, sign-ups, the working-time
-- rules. Keep in step with migrations/postgres/0012_shifts.sql.

-- The working-time rules (one row; defaults when absent) and the key that
-- signs the calendar-feed URLs.
CREATE TABLE shift_settings (
    id                INTEGER PRIMARY KEY,
    max_work_minutes  INTEGER NOT NULL,
    window_minutes    INTEGER NOT NULL,
    min_rest_minutes  INTEGER NOT NULL,
    feed_key          TEXT NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE shift_qualifications (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_nl     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE shift_roles (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name_nl           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    qualification_id  TEXT REFERENCES shift_qualifications(id),
    created_at        INTEGER NOT NULL
);

CREATE TABLE shift_staff_qualifications (
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    qualification_id  TEXT NOT NULL REFERENCES shift_qualifications(id),
    granted_by        TEXT,
    granted_at        INTEGER NOT NULL,
    PRIMARY KEY (user_id, qualification_id)
);

-- `filled` counts the active sign-ups; it is raised only by
-- `UPDATE ... WHERE filled < headcount`, so a shift is never overfilled.
-- status: open or cancelled.
CREATE TABLE shift_shifts (
    id          TEXT PRIMARY KEY,
    role_id     TEXT NOT NULL REFERENCES shift_roles(id),
    day         TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    headcount   INTEGER NOT NULL,
    filled      INTEGER NOT NULL DEFAULT 0,
    release_at  INTEGER NOT NULL,
    status      TEXT NOT NULL,
    sequence    INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (filled >= 0 AND filled <= headcount)
);
CREATE INDEX shift_shifts_day ON shift_shifts (day, role_id, starts_at);

-- One row per volunteer: every sign-up, cancellation and assignment raises
-- `guard` first, so two writes for one person run one after the other and
-- the working-time check sees the other's shift. `feed_version` is part of
-- the signed calendar-feed URL (raised to regenerate it).
CREATE TABLE shift_people (
    user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    guard         INTEGER NOT NULL DEFAULT 0,
    feed_version  INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);

-- status: active or cancelled. assigned_by: the planner who assigned the
-- person (NULL when they signed up themselves). override_reason: why a
-- working-time rule was overridden (the rules broken in overridden_rules).
CREATE TABLE shift_signups (
    id                TEXT PRIMARY KEY,
    shift_id          TEXT NOT NULL REFERENCES shift_shifts(id),
    user_id           TEXT NOT NULL REFERENCES users(id),
    status            TEXT NOT NULL,
    assigned_by       TEXT,
    override_reason   TEXT,
    overridden_rules  TEXT,
    reminder_sent_at  INTEGER,
    created_at        INTEGER NOT NULL,
    cancelled_at      INTEGER
);
CREATE UNIQUE INDEX shift_signups_active ON shift_signups (shift_id, user_id) WHERE status = 'active';
CREATE INDEX shift_signups_user ON shift_signups (user_id, status);
CREATE INDEX shift_signups_reminder ON shift_signups (status, reminder_sent_at);
