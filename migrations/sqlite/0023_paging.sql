-- Keyset paging of lists that grow (issue 19, item 4). Keep in step with
-- the other dialect's 0023_paging.sql (postgres).

-- The work queue: sorted by (due_date, number), read after a cursor with
-- (due_date, number) > ($a, $b). The queue filtered by service and status
-- (the most common view of a team) uses 0022's cases_service_queue.
CREATE INDEX cases_due_number ON cases (due_date, number);
