-- Staff records and telework: staff members (imported from CSV), leave
-- days, extra public holidays, telework days per staff member, the month's
-- approval by the manager, the allowance rule and the RSZ/ONSS tax-free
-- maximum as dated data, closed months with their payroll lines, corrections
-- of closed months, and the payroll file's layout.
-- Dates are 'YYYY-MM-DD' text, months 'YYYY-MM', money integer cents.
-- Keep in step with migrations/sqlite/0007_telework.sql.

-- A staff member. The Loket account with the same e-mail (users.email_norm)
-- is theirs; their manager is the staff member whose employee number is
-- manager_no (checked by the import, which may bring both in one file).
CREATE TABLE staff_members (
    id                 TEXT PRIMARY KEY,
    employee_no        TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    email              TEXT NOT NULL UNIQUE,
    department         TEXT NOT NULL,
    manager_no         TEXT,
    regime_percent     BIGINT NOT NULL,
    telework_eligible  BIGINT NOT NULL,
    end_date           TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX staff_members_manager ON staff_members(manager_no);
CREATE INDEX staff_members_department ON staff_members(department, name);

CREATE TABLE staff_leave (
    staff_id    TEXT NOT NULL REFERENCES staff_members(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (staff_id, day)
);

-- Public holidays besides the ten Belgian legal ones (computed), e.g. the
-- city's own days off.
CREATE TABLE telework_holidays (
    day   TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

-- One row per month that anyone wrote to. Every write to a month first
-- updates its row (a row lock on PostgreSQL), so closing a month and a
-- registration or approval in it never interleave.
CREATE TABLE telework_periods (
    month      TEXT PRIMARY KEY,
    writes     BIGINT NOT NULL DEFAULT 0,
    closed_at  BIGINT,
    closed_by  TEXT
);

-- A staff member's month: open, approved or rejected by the manager.
-- version rises with every change (compare-and-set for approvals).
CREATE TABLE telework_months (
    staff_id    TEXT NOT NULL REFERENCES staff_members(id),
    month       TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 0,
    comment     TEXT NOT NULL DEFAULT '',
    decided_by  TEXT,
    decided_at  BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (staff_id, month)
);
CREATE INDEX telework_months_month ON telework_months(month, status);

CREATE TABLE telework_days (
    staff_id    TEXT NOT NULL REFERENCES staff_members(id),
    day         TEXT NOT NULL,
    month       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (staff_id, day)
);
CREATE INDEX telework_days_month ON telework_days(month, staff_id);

-- The allowance rule, append-only: a version is in force from its date
-- (the first of a month) until the next one's.
CREATE TABLE telework_rules (
    version             BIGINT PRIMARY KEY,
    effective_from      TEXT NOT NULL,
    full_day_cents      BIGINT NOT NULL,
    half_day_cents      BIGINT NOT NULL,
    max_days            BIGINT NOT NULL,
    max_amount_cents    BIGINT NOT NULL,
    min_regime_percent  BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    created_by          TEXT
);

CREATE TABLE telework_tax_free (
    effective_from  TEXT PRIMARY KEY,
    cents           BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE telework_export_settings (
    id                    BIGINT PRIMARY KEY,
    delimiter             TEXT NOT NULL,
    columns               TEXT NOT NULL,
    wage_code_allowance   TEXT NOT NULL,
    wage_code_correction  TEXT NOT NULL,
    updated_at            BIGINT NOT NULL
);

-- The payroll of a closed month, as computed when it was closed (the rule
-- version and rate with it): never changed afterwards.
CREATE TABLE telework_pay_lines (
    id             TEXT PRIMARY KEY,
    month          TEXT NOT NULL REFERENCES telework_periods(month),
    staff_id       TEXT NOT NULL REFERENCES staff_members(id),
    employee_no    TEXT NOT NULL,
    name           TEXT NOT NULL,
    department     TEXT NOT NULL,
    for_month      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    half_units     BIGINT NOT NULL,
    full_days      BIGINT NOT NULL,
    half_days      BIGINT NOT NULL,
    rate_cents     BIGINT NOT NULL,
    amount_cents   BIGINT NOT NULL,
    rule_version   BIGINT NOT NULL,
    over_tax_free  BIGINT NOT NULL,
    UNIQUE (month, staff_id, kind, for_month)
);
CREATE INDEX telework_pay_lines_staff ON telework_pay_lines(staff_id, for_month);

-- A correction of a closed month: the days that should have been paid.
-- The next month closed pays the difference as a correction line.
CREATE TABLE telework_corrections (
    id            TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff_members(id),
    for_month     TEXT NOT NULL,
    full_days     BIGINT NOT NULL,
    half_days     BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    created_by    TEXT,
    created_at    BIGINT NOT NULL,
    paid_in_month TEXT
);
CREATE INDEX telework_corrections_pending ON telework_corrections(paid_in_month);

INSERT INTO telework_rules (version, effective_from, full_day_cents, half_day_cents, max_days, max_amount_cents, min_regime_percent, created_at, created_by)
VALUES (1, '2023-01-01', 300, 150, 0, 0, 0, 0, NULL);
INSERT INTO telework_tax_free (effective_from, cents, created_at) VALUES ('2023-12-01', 15170, 0);
INSERT INTO telework_tax_free (effective_from, cents, created_at) VALUES ('2024-06-01', 15474, 0);
INSERT INTO telework_tax_free (effective_from, cents, created_at) VALUES ('2025-03-01', 15783, 0);
INSERT INTO telework_export_settings (id, delimiter, columns, wage_code_allowance, wage_code_correction, updated_at)
VALUES (1, ';', 'employee_no = employee_no
month = month
kind = kind
for_month = for_month
wage_code = wage_code
days = days
rate_cents = rate_cents
amount_cents = amount_cents
rule_version = rule_version', '3150', '3151', 0);
