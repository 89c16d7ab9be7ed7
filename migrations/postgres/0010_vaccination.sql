-- The vaccination centre: campaigns, invitations, bookings (on the
-- appointments' slot machinery: every campaign is a counter service at the
-- centre's location, and its places are `appt_slots` rows), the reserve
-- list, the waiting room, check-in, the station flow and mobile teams.
-- Keep in step with migrations/sqlite/0010_vaccination.sql.

CREATE TABLE vac_campaigns (
    id                   TEXT PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    vaccine              TEXT NOT NULL,
    location_id          TEXT NOT NULL REFERENCES appt_locations(id),
    service_id           TEXT NOT NULL UNIQUE REFERENCES appt_services(id),
    lines                BIGINT NOT NULL,
    per_line             BIGINT NOT NULL,
    slot_minutes         BIGINT NOT NULL,
    observation_minutes  BIGINT NOT NULL,
    -- The waiting room: visitors admitted per minute after `opens_at`,
    -- and how many at once when it opens.
    admit_per_minute     BIGINT NOT NULL,
    admit_burst          BIGINT NOT NULL,
    opens_at             BIGINT NOT NULL,
    status               TEXT NOT NULL,
    -- Raised by every change on a centre day; the live views follow it.
    version              BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE vac_days (
    campaign_id  TEXT NOT NULL REFERENCES vac_campaigns(id),
    day          TEXT NOT NULL,
    opens        TEXT NOT NULL,
    closes       TEXT NOT NULL,
    PRIMARY KEY (campaign_id, day)
);

-- Target groups in priority order (rank 0 first).
CREATE TABLE vac_groups (
    campaign_id  TEXT NOT NULL REFERENCES vac_campaigns(id),
    rank         BIGINT NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (campaign_id, rank)
);

CREATE TABLE vac_letter_batches (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES vac_campaigns(id),
    letters      BIGINT NOT NULL,
    created_by   TEXT,
    created_at   BIGINT NOT NULL
);

CREATE TABLE vac_invitations (
    id               TEXT PRIMARY KEY,
    campaign_id      TEXT NOT NULL REFERENCES vac_campaigns(id),
    code             TEXT NOT NULL UNIQUE,
    national_number  TEXT NOT NULL,
    name             TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    street           TEXT NOT NULL,
    postal_code      TEXT NOT NULL,
    city             TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    group_rank       BIGINT NOT NULL,
    -- 'import' or 'reserve'.
    source           TEXT NOT NULL,
    -- 'email' or 'letter'.
    delivery         TEXT NOT NULL,
    letter_batch_id  TEXT REFERENCES vac_letter_batches(id),
    -- 'invited', 'booked', 'vaccinated', 'cancelled'.
    status           TEXT NOT NULL,
    -- Wrong birth dates in a row, and the lock they caused.
    attempts         BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (campaign_id, national_number)
);
CREATE INDEX vac_invitations_letters ON vac_invitations(campaign_id, delivery, letter_batch_id);

CREATE TABLE vac_bookings (
    id                TEXT PRIMARY KEY,
    invitation_id     TEXT NOT NULL REFERENCES vac_invitations(id),
    campaign_id       TEXT NOT NULL REFERENCES vac_campaigns(id),
    slot_id           TEXT NOT NULL REFERENCES appt_slots(id),
    starts_at         BIGINT NOT NULL,
    ends_at           BIGINT NOT NULL,
    -- 'booked', 'cancelled', 'checked_in', 'no_show'.
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    booked_by         TEXT,
    sequence          BIGINT NOT NULL DEFAULT 0,
    remind_at         BIGINT NOT NULL,
    reminder_sent_at  BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
-- At most one active appointment per invitation.
CREATE UNIQUE INDEX vac_bookings_one_active ON vac_bookings(invitation_id)
    WHERE status IN ('booked', 'checked_in');
CREATE INDEX vac_bookings_day ON vac_bookings(campaign_id, starts_at);
CREATE INDEX vac_bookings_remind ON vac_bookings(status, remind_at);

-- The reserve list: people called on short notice. An offer holds a place
-- in a slot (counted in appt_slots.booked) until it is taken or expires.
CREATE TABLE vac_reserve (
    id                TEXT PRIMARY KEY,
    campaign_id       TEXT NOT NULL REFERENCES vac_campaigns(id),
    national_number   TEXT NOT NULL,
    name              TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    email             TEXT NOT NULL,
    phone             TEXT,
    group_rank        BIGINT NOT NULL,
    -- 'waiting', 'offered', 'booked', 'withdrawn'.
    status            TEXT NOT NULL,
    signed_up_at      BIGINT NOT NULL,
    offer_slot_id     TEXT REFERENCES appt_slots(id),
    offer_starts_at   BIGINT,
    offer_expires_at  BIGINT,
    offer_token       TEXT,
    offers            BIGINT NOT NULL DEFAULT 0,
    invitation_id     TEXT REFERENCES vac_invitations(id),
    updated_at        BIGINT NOT NULL,
    UNIQUE (campaign_id, national_number)
);
CREATE INDEX vac_reserve_queue ON vac_reserve(campaign_id, status, group_rank, signed_up_at);

-- The waiting room's counter: the last ticket number handed out.
CREATE TABLE vac_waiting (
    campaign_id  TEXT PRIMARY KEY REFERENCES vac_campaigns(id),
    issued       BIGINT NOT NULL DEFAULT 0
);

-- The last queue number per campaign and day.
CREATE TABLE vac_numbers (
    campaign_id  TEXT NOT NULL REFERENCES vac_campaigns(id),
    day          TEXT NOT NULL,
    last         BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, day)
);

-- A visit on a centre day, from check-in to the exit. Stage: 'checked_in',
-- 'registered', 'vaccinated', 'observing', 'left'.
CREATE TABLE vac_visits (
    id                   TEXT PRIMARY KEY,
    code                 TEXT NOT NULL UNIQUE,
    campaign_id          TEXT NOT NULL REFERENCES vac_campaigns(id),
    invitation_id        TEXT NOT NULL UNIQUE REFERENCES vac_invitations(id),
    booking_id           TEXT REFERENCES vac_bookings(id),
    day                  TEXT NOT NULL,
    line                 BIGINT NOT NULL,
    queue_no             BIGINT NOT NULL,
    arrival              TEXT NOT NULL,
    stage                TEXT NOT NULL,
    checked_in_at        BIGINT NOT NULL,
    checked_in_by        TEXT,
    registered_at        BIGINT,
    vaccinated_at        BIGINT,
    lot                  TEXT,
    observation_ends_at  BIGINT,
    left_at              BIGINT,
    UNIQUE (campaign_id, day, queue_no)
);
CREATE INDEX vac_visits_day ON vac_visits(campaign_id, day, stage);

-- Every scan at a station, in order.
CREATE TABLE vac_scans (
    id          TEXT PRIMARY KEY,
    visit_id    TEXT NOT NULL REFERENCES vac_visits(id),
    station     TEXT NOT NULL,
    line        BIGINT,
    at          BIGINT NOT NULL,
    by_user     TEXT
);
CREATE INDEX vac_scans_visit ON vac_scans(visit_id, at);

-- Mobile teams: the visits planned for a team on a day (care homes, at
-- home), and the records the tablets sync, each with the client's own id.
CREATE TABLE vac_mobile_visits (
    id             TEXT PRIMARY KEY,
    campaign_id    TEXT NOT NULL REFERENCES vac_campaigns(id),
    team           TEXT NOT NULL,
    day            TEXT NOT NULL,
    at             TEXT NOT NULL,
    invitation_id  TEXT NOT NULL REFERENCES vac_invitations(id),
    address        TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX vac_mobile_visits_team ON vac_mobile_visits(team, day);

CREATE TABLE vac_mobile_records (
    client_id      TEXT PRIMARY KEY,
    mobile_visit_id TEXT NOT NULL REFERENCES vac_mobile_visits(id),
    invitation_id  TEXT NOT NULL REFERENCES vac_invitations(id),
    team           TEXT NOT NULL,
    -- 'arrival' or 'vaccinated'.
    kind           TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    lot            TEXT,
    received_at    BIGINT NOT NULL,
    -- A vaccination of a person someone else recorded already: kept,
    -- flagged for the coordinator, not counted twice.
    conflict_with  TEXT,
    resolved_at    BIGINT,
    resolved_by    TEXT,
    resolution     TEXT
);
CREATE INDEX vac_mobile_records_invitation ON vac_mobile_records(invitation_id, kind);
