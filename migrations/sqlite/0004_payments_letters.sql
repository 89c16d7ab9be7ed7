-- Cases, continued: SEPA payment files for premiums, resident records kept
-- by counter staff (for people without an account or e-mail), and paper
-- letters with their daily print batches.
-- Keep in step with migrations/postgres/0004_payments_letters.sql.

CREATE TABLE payment_exports (
    id              TEXT PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    execution_date  TEXT NOT NULL,
    count           INTEGER NOT NULL,
    total_cents     INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    xml             TEXT NOT NULL
);

-- A case is paid in one file only: the UNIQUE on case_id holds even when two
-- finance officers export at the same moment.
CREATE TABLE payment_export_items (
    export_id     TEXT NOT NULL REFERENCES payment_exports(id),
    case_id       TEXT NOT NULL UNIQUE REFERENCES cases(id),
    amount_cents  INTEGER NOT NULL,
    PRIMARY KEY (export_id, case_id)
);

-- What the city knows of a resident beyond the account: the national
-- register number and the postal address (for letters).
CREATE TABLE resident_profiles (
    user_id          TEXT PRIMARY KEY REFERENCES users(id),
    national_number  TEXT UNIQUE,
    street           TEXT NOT NULL DEFAULT '',
    house_number     TEXT NOT NULL DEFAULT '',
    box              TEXT NOT NULL DEFAULT '',
    postal_code      TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    created_by       TEXT REFERENCES users(id),
    updated_at       INTEGER NOT NULL
);

CREATE TABLE print_batches (
    id          TEXT PRIMARY KEY,
    created_by  TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    path        TEXT NOT NULL
);

-- A letter to post to a resident without e-mail: its content (JSON, in the
-- resident's language) waits for the next print batch, which renders all
-- waiting letters into one PDF.
CREATE TABLE letters (
    id           TEXT PRIMARY KEY,
    case_id      TEXT REFERENCES cases(id),
    resident_id  TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    content      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    batch_id     TEXT REFERENCES print_batches(id)
);
CREATE INDEX letters_unbatched ON letters(batch_id, created_at);
