-- The ticket queue at the counters and the corona-safe counter zone.
-- Keep in step with migrations/sqlite/0006_queue.sql.

-- The letter of a counter service's ticket numbers ('' = first letter of
-- its Dutch name).
ALTER TABLE appt_services ADD COLUMN ticket_prefix TEXT NOT NULL DEFAULT '';

-- One row per location: the zone's limit and head count, and a version
-- raised by every change to the location's queue. Every queue change
-- updates this row first, so changes at one location are serialised and
-- displays follow the version.
CREATE TABLE queue_zones (
    location_id           TEXT PRIMARY KEY REFERENCES appt_locations(id),
    max_present           BIGINT NOT NULL,
    present               BIGINT NOT NULL DEFAULT 0,
    appointments_in_row   BIGINT NOT NULL DEFAULT 0,
    version               BIGINT NOT NULL DEFAULT 0,
    updated_at            BIGINT NOT NULL,
    CHECK (present >= 0)
);

-- The last number handed out per location, day and prefix.
CREATE TABLE queue_numbers (
    location_id  TEXT NOT NULL REFERENCES appt_locations(id),
    day          TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    last         BIGINT NOT NULL,
    PRIMARY KEY (location_id, day, prefix)
);

-- A visitor in the queue. `kind` is appointment or walk_in; `status` is
-- waiting, called, served, no_show, left or transferred. Waiting and
-- called tickets are counted in the zone.
CREATE TABLE queue_tickets (
    id                TEXT PRIMARY KEY,
    location_id       TEXT NOT NULL REFERENCES appt_locations(id),
    service_id        TEXT NOT NULL REFERENCES appt_services(id),
    day               TEXT NOT NULL,
    number            TEXT NOT NULL,
    kind              TEXT NOT NULL,
    appointment_id    TEXT UNIQUE REFERENCES appointments(id),
    status            TEXT NOT NULL,
    due_at            BIGINT,
    checked_in_at     BIGINT NOT NULL,
    called_at         BIGINT,
    finished_at       BIGINT,
    desk_id           TEXT REFERENCES appt_desks(id),
    recalls           BIGINT NOT NULL DEFAULT 0,
    priority          BIGINT NOT NULL DEFAULT 0,
    transferred_from  TEXT REFERENCES queue_tickets(id),
    case_id           TEXT REFERENCES cases(id),
    token             TEXT NOT NULL,
    created_by        TEXT REFERENCES users(id),
    updated_at        BIGINT NOT NULL
);
CREATE INDEX queue_tickets_waiting ON queue_tickets(location_id, status, checked_in_at);
CREATE INDEX queue_tickets_day ON queue_tickets(location_id, day);
-- A desk calls one visitor at a time.
CREATE UNIQUE INDEX queue_tickets_desk_busy ON queue_tickets(desk_id) WHERE status = 'called';
