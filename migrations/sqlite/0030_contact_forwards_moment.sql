-- A contact moment's page reads its forwards by moment (newest 200,
-- newest first); contact_forwards had indexes by department only, so each
-- view scanned every forward. Keep in step with
-- migrations/postgres/0030_contact_forwards_moment.sql.
CREATE INDEX contact_forwards_moment ON contact_forwards (moment_id, created_at, id);
