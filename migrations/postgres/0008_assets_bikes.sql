-- Staff services: the service-bike pool (sites, bikes, reservations, trips)
-- and the ICT inventory (assets, loans, hand-over documents, audits).
-- Keep in step with migrations/sqlite/0008_assets_bikes.sql.

CREATE TABLE bike_settings (
    id              BIGINT PRIMARY KEY,
    max_minutes     BIGINT NOT NULL,
    co2_g_per_km    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE bike_sites (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- `guard` is raised by every reservation in the same transaction: the
-- conditional UPDATE of the bike row is the per-bike lock that makes the
-- overlap check and the insert atomic on both databases.
CREATE TABLE bikes (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    bike_type     TEXT NOT NULL,
    site_id       TEXT NOT NULL REFERENCES bike_sites(id),
    status        TEXT NOT NULL,
    battery_note  TEXT NOT NULL DEFAULT '',
    guard         BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX bikes_site ON bikes (site_id, bike_type, status);

-- status: reserved, picked_up, returned, released (not picked up in time),
-- cancelled. Only reserved and picked_up hold the bike.
CREATE TABLE bike_reservations (
    id            TEXT PRIMARY KEY,
    bike_id       TEXT NOT NULL REFERENCES bikes(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    picked_up_at  BIGINT,
    returned_at   BIGINT,
    km            BIGINT,
    damage        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX bike_res_bike ON bike_reservations (bike_id, status, starts_at);
CREATE INDEX bike_res_user ON bike_reservations (user_id, starts_at);
CREATE INDEX bike_res_status ON bike_reservations (status, starts_at);

CREATE TABLE assets (
    id              TEXT PRIMARY KEY,
    tag             TEXT NOT NULL UNIQUE,
    category        TEXT NOT NULL,
    serial          TEXT NOT NULL,
    model           TEXT NOT NULL,
    purchase_date   TEXT NOT NULL,
    price_cents     BIGINT NOT NULL,
    status          TEXT NOT NULL,
    location        TEXT NOT NULL,
    current_loan_id TEXT,
    last_audit_on   TEXT,
    next_audit_on   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX assets_location ON assets (location);
CREATE INDEX assets_status ON assets (status, category);

-- One document per check-out to a person, listing every item handed over
-- together; the staff member acknowledges it in Loket.
CREATE TABLE asset_handovers (
    id                TEXT PRIMARY KEY,
    borrower_user_id  TEXT REFERENCES users(id),
    place             TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL,
    acknowledged_at   BIGINT,
    acknowledged_by   TEXT
);

-- A loan is to a person (borrower_user_id) or a place (place).
CREATE TABLE asset_loans (
    id                TEXT PRIMARY KEY,
    asset_id          TEXT NOT NULL REFERENCES assets(id),
    handover_id       TEXT NOT NULL REFERENCES asset_handovers(id),
    borrower_user_id  TEXT REFERENCES users(id),
    place             TEXT NOT NULL DEFAULT '',
    out_at            BIGINT NOT NULL,
    due_on            TEXT NOT NULL,
    in_at             BIGINT,
    condition_note    TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL
);
-- The second wall: one open loan per asset.
CREATE UNIQUE INDEX asset_loans_open ON asset_loans (asset_id) WHERE in_at IS NULL;
CREATE INDEX asset_loans_borrower ON asset_loans (borrower_user_id, in_at);
CREATE INDEX asset_loans_due ON asset_loans (in_at, due_on);

CREATE TABLE asset_audits (
    id          TEXT PRIMARY KEY,
    location    TEXT NOT NULL,
    at          BIGINT NOT NULL,
    by_user     TEXT NOT NULL,
    result_json TEXT NOT NULL
);
