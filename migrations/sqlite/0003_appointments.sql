-- Appointments: locations, desks and the counter services they handle,
-- opening hours, closed days, settings, slots with capacity, bookings.
-- And: outbox messages may carry one attachment (an iCalendar file).
-- Keep in step with migrations/postgres/0003_appointments.sql.

CREATE TABLE appt_settings (
    id                   INTEGER PRIMARY KEY,
    horizon_days         INTEGER NOT NULL,
    lead_minutes         INTEGER NOT NULL,
    max_per_service      INTEGER NOT NULL,
    no_show_flag_after   INTEGER NOT NULL,
    link_key             TEXT NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE appt_locations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Counter services (what a desk handles), each with its slot length.
CREATE TABLE appt_services (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name_nl       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    slot_minutes  INTEGER NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE appt_desks (
    id           TEXT PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES appt_locations(id),
    name         TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    UNIQUE (location_id, name)
);

CREATE TABLE appt_desk_services (
    desk_id     TEXT NOT NULL REFERENCES appt_desks(id) ON DELETE CASCADE,
    service_id  TEXT NOT NULL REFERENCES appt_services(id),
    PRIMARY KEY (desk_id, service_id)
);

-- Opening hours: weekday 1 (Monday) .. 7 (Sunday), local times 'HH:MM'.
-- A day may have several periods (e.g. 09:00-12:30 and 13:30-16:00).
CREATE TABLE appt_hours (
    location_id  TEXT NOT NULL REFERENCES appt_locations(id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL,
    opens        TEXT NOT NULL,
    closes       TEXT NOT NULL,
    PRIMARY KEY (location_id, weekday, opens)
);

CREATE TABLE appt_closed_days (
    location_id  TEXT NOT NULL REFERENCES appt_locations(id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (location_id, day)
);

-- A slot row exists once someone booked it; free slots are computed from
-- the opening hours. `booked < capacity` is enforced by the booking UPDATE.
CREATE TABLE appt_slots (
    id           TEXT PRIMARY KEY,
    service_id   TEXT NOT NULL REFERENCES appt_services(id),
    location_id  TEXT NOT NULL REFERENCES appt_locations(id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    capacity     INTEGER NOT NULL,
    booked       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (service_id, location_id, starts_at),
    CHECK (booked >= 0)
);

-- One row per resident, locked (UPDATE) while booking, so the per-service
-- limit holds under concurrency; it also counts no-shows.
CREATE TABLE appt_identities (
    resident_id  TEXT PRIMARY KEY REFERENCES users(id),
    no_shows     INTEGER NOT NULL DEFAULT 0,
    touched_at   INTEGER NOT NULL
);

CREATE TABLE appointments (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    slot_id           TEXT NOT NULL REFERENCES appt_slots(id),
    service_id        TEXT NOT NULL REFERENCES appt_services(id),
    location_id       TEXT NOT NULL REFERENCES appt_locations(id),
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL,
    resident_id       TEXT NOT NULL REFERENCES users(id),
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    booked_by         TEXT REFERENCES users(id),
    sequence          INTEGER NOT NULL DEFAULT 0,
    remind_at         INTEGER NOT NULL,
    reminder_sent_at  INTEGER,
    case_id           TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX appointments_resident ON appointments(resident_id, status, starts_at);
CREATE INDEX appointments_day ON appointments(location_id, starts_at);
CREATE INDEX appointments_remind ON appointments(status, remind_at);

ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment_body TEXT;
