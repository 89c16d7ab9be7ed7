-- Hot reads at a million cases, part 2 (issue 19, item 3): the plans
-- before and after are in docs/performance.md. Keep in step with
-- migrations/sqlite/0026_hot_reads.sql.

-- The work queue: the cases not restricted, by service and status in
-- due-date order. Partial, so that the queue's count (up to 10,001 cases)
-- reads this index alone; it replaces 0022's cases_service_queue.
DROP INDEX cases_service_queue;
CREATE INDEX cases_queue_open ON cases (service_id, status, due_date, number)
    WHERE restricted_at IS NULL;

-- The staff people search: every suffix of each account's name, folded
-- (lower case, accents removed; loket_domain::people::name_keys), so that
-- "a part of the name" is a prefix range on `key`. The "C" collation
-- makes the range byte order, as SQLite's BINARY, whatever the database's
-- default collation. Written in the transaction that creates the account;
-- an erasure deletes them.
CREATE TABLE people_search (
    key      TEXT COLLATE "C" NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (key, user_id)
);
CREATE INDEX people_search_user ON people_search (user_id);

-- Index work that Rust does once after a migration (the names' keys above
-- need the same folding as the queries, which SQL cannot do the same way
-- on both databases): loket_store::Store::migrate runs each job named here
-- and deletes its row in the same transaction.
CREATE TABLE index_jobs (
    job  TEXT PRIMARY KEY
);
INSERT INTO index_jobs (job) VALUES ('people_search');

-- The contact report counts the moments of its period per hour, channel
-- and outcome from this index alone (no row of contact_moments read).
CREATE INDEX contact_moments_report ON contact_moments (created_at, channel, outcome);

-- The knowledge-base search reads its postings from one index alone: each
-- term row carries its document's length (written with the terms; old
-- rows filled here), and (lang, term, article_id, weight, doc_length)
-- replaces 0009's contact_terms_lookup (lang, term).
ALTER TABLE contact_terms ADD COLUMN doc_length BIGINT NOT NULL DEFAULT 0;
UPDATE contact_terms SET doc_length = (SELECT CASE WHEN contact_terms.lang = 'en' THEN a.length_en ELSE a.length_nl END
    FROM contact_articles a WHERE a.id = contact_terms.article_id);
DROP INDEX contact_terms_lookup;
CREATE INDEX contact_terms_postings ON contact_terms (lang, term, article_id, weight, doc_length);
-- The search's statistics (articles, total lengths) from an index alone.
CREATE INDEX contact_articles_lengths ON contact_articles (length_nl, length_en);
