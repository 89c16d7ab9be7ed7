-- Indexes for the hot reads `loket bench scale` measures on a city's data
-- (1M cases, 100k appointments, 10k articles, 200k contact moments); the
-- plans before and after are in docs/performance.md.
-- Keep in step with migrations/sqlite/0022_hot_query_indexes.sql.

-- The work queue filtered by service and status, in due-date order.
CREATE INDEX cases_service_queue ON cases (service_id, status, due_date, number);
-- The contact report: the moments of a period, in time order.
CREATE INDEX contact_moments_created ON contact_moments (created_at, id);
-- The knowledge-base prefix lookup is a range on (lang, term)
-- (`term >= p AND term < upper`, upper computed in Rust). It holds exactly
-- the terms that start with p only in byte order, SQLite's BINARY: give
-- the column the "C" collation (the index contact_terms_lookup is rebuilt
-- with it), whatever the database's default collation.
ALTER TABLE contact_terms ALTER COLUMN term TYPE TEXT COLLATE "C";
