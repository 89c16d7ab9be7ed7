-- The contact centre: departments with a service level, knowledge-base
-- articles with versions and a search index computed in Rust, views,
-- contact moments and forwards to departments.
-- Keep in step with migrations/sqlite/0009_contact.sql.

CREATE TABLE contact_departments (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name_nl     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    -- The service level: a forward is due this many working days later.
    sla_days    BIGINT NOT NULL DEFAULT 5,
    created_at  BIGINT NOT NULL
);

CREATE TABLE contact_articles (
    id             TEXT PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    department_id  TEXT REFERENCES contact_departments(id),
    version        BIGINT NOT NULL,
    title_nl       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    body_nl        TEXT NOT NULL,
    body_en        TEXT NOT NULL,
    -- Comma-separated.
    tags           TEXT NOT NULL DEFAULT '',
    valid_from     TEXT,
    valid_until    TEXT,
    review_on      TEXT,
    -- The indexed length per language (BM25).
    length_nl      BIGINT NOT NULL DEFAULT 0,
    length_en      BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT
);

-- Every saved state of an article, the current one included.
CREATE TABLE contact_article_versions (
    article_id     TEXT NOT NULL REFERENCES contact_articles(id),
    version        BIGINT NOT NULL,
    department_id  TEXT,
    title_nl       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    body_nl        TEXT NOT NULL,
    body_en        TEXT NOT NULL,
    tags           TEXT NOT NULL,
    valid_from     TEXT,
    valid_until    TEXT,
    review_on      TEXT,
    created_at     BIGINT NOT NULL,
    created_by     TEXT,
    PRIMARY KEY (article_id, version)
);

-- The search index: see loket_domain::contact::index_document.
CREATE TABLE contact_terms (
    article_id  TEXT NOT NULL REFERENCES contact_articles(id),
    lang        TEXT NOT NULL,
    term        TEXT NOT NULL,
    weight      BIGINT NOT NULL,
    PRIMARY KEY (article_id, lang, term)
);
CREATE INDEX contact_terms_lookup ON contact_terms (lang, term);

-- Residents' views of an article per day.
CREATE TABLE contact_views (
    article_id  TEXT NOT NULL REFERENCES contact_articles(id),
    day         TEXT NOT NULL,
    views       BIGINT NOT NULL,
    PRIMARY KEY (article_id, day)
);

CREATE TABLE contact_moments (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    channel           TEXT NOT NULL,
    -- 'intake' (asked on the web, not handled yet), 'open', 'forwarded', 'closed'.
    status            TEXT NOT NULL,
    resident_id       TEXT REFERENCES users(id),
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_email     TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL,
    question          TEXT NOT NULL,
    answer            TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL DEFAULT '',
    duration_minutes  BIGINT NOT NULL DEFAULT 0,
    agent_id          TEXT,
    case_id           TEXT,
    appointment_id    TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX contact_moments_resident ON contact_moments (resident_id, created_at);
CREATE INDEX contact_moments_status ON contact_moments (status, created_at);

CREATE TABLE contact_moment_articles (
    moment_id   TEXT NOT NULL REFERENCES contact_moments(id),
    article_id  TEXT NOT NULL REFERENCES contact_articles(id),
    PRIMARY KEY (moment_id, article_id)
);

CREATE TABLE contact_forwards (
    id             TEXT PRIMARY KEY,
    moment_id      TEXT NOT NULL REFERENCES contact_moments(id),
    department_id  TEXT NOT NULL REFERENCES contact_departments(id),
    note           TEXT NOT NULL DEFAULT '',
    due_on         TEXT NOT NULL,
    -- 'open' or 'answered'.
    status         TEXT NOT NULL,
    answer         TEXT NOT NULL DEFAULT '',
    answered_by    TEXT,
    answered_at    BIGINT,
    created_by     TEXT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX contact_forwards_queue ON contact_forwards (department_id, status, due_on);

-- The last reference number per year.
CREATE TABLE contact_numbers (
    year  BIGINT PRIMARY KEY,
    last  BIGINT NOT NULL
);
