-- Keyset paging of lists that grow (issue 19, item 4). Keep in step with
-- the other dialect's 0023_paging.sql (postgres).

-- The work queue: sorted by (due_date, number), read after a cursor with
-- (due_date, number) > ($a, $b); the second index serves the queue
-- filtered by service and status, the most common view of a team.
CREATE INDEX cases_due_number ON cases (due_date, number);
CREATE INDEX cases_service_status_due ON cases (service_id, status, due_date, number);
