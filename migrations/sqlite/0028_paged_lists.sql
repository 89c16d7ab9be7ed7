-- Indexes for the keyset order of lists paged in issue 19, item 4: the
-- print batches, the mail files the mail-in worker refused and the
-- retention runs are read newest first by (time, id), a page at a time.
-- (The reserve list, the privacy requests and a resident's history are
-- read through the indexes they had: vac_reserve_queue,
-- privacy_requests_open, and the resident indexes of contact_moments,
-- cases and appointments.) Keep in step with
-- migrations/postgres/0028_paged_lists.sql.
CREATE INDEX print_batches_created ON print_batches (created_at, id);
CREATE INDEX contact_mail_rejects_created ON contact_mail_rejects (created_at, id);
CREATE INDEX retention_runs_started_id ON retention_runs (started_at, id);
