-- Indexes for the keyset orders of the lists paged in issue 19, item 4
-- (part 2). Keep in step with migrations/postgres/0025_paging_lists.sql.

-- The audit log and the access log, newest first by (at, id): the (at, id)
-- indexes replace the (at) ones, which served retention's `at < $1`
-- (they still do).
DROP INDEX audit_log_at;
CREATE INDEX audit_log_at_id ON audit_log (at, id);
DROP INDEX access_log_at;
CREATE INDEX access_log_at_id ON access_log (at, id);

-- Staff accounts, newest first: users by (created_at, id), and the staff
-- among them through the roles other than `resident` (two ranges of role).
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX user_roles_role ON user_roles (role, user_id);

-- A resident's appointments, newest start first.
CREATE INDEX appointments_resident_start ON appointments (resident_id, starts_at, id);

-- A department's forwards, oldest due first.
CREATE INDEX contact_forwards_department_due ON contact_forwards (department_id, due_on, created_at, id);

-- The staff list by name (keyset on name, employee_no; it used OFFSET).
CREATE INDEX staff_members_name ON staff_members (name, employee_no);

-- The sent mail, newest first.
CREATE INDEX outbox_created ON outbox (created_at, id);

-- The API tokens, newest first.
CREATE INDEX api_tokens_created ON api_tokens (created_at, id);

-- A campaign's invitations, by priority group then name.
CREATE INDEX vac_invitations_list ON vac_invitations (campaign_id, group_rank, name, id);
