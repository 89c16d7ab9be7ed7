-- A contact moment's follow-up messages are paged by keyset (issue 19,
-- item 4) on (created_at, id), oldest first: the index by moment and
-- created_at alone left every page to sort its ties by id (and read every
-- later message), so it gives way to one with the id as well.
-- Keep in step with migrations/sqlite/0033_contact_messages_page.sql.
DROP INDEX contact_messages_moment;
CREATE INDEX contact_messages_moment ON contact_messages (moment_id, created_at, id);
