-- The staff people search's keys carry the account's name and whether it
-- is a resident's (issue 19): a common family name matches thousands of
-- residents, and ordering them by name read every one of their account
-- and role rows before the first 50 were kept. With both beside each key,
-- the matches are found, filtered and ordered from the index
-- (resident, key, name, user_id) alone, and only the first 50 are joined
-- to their accounts. Names change only at an erasure, which deletes the
-- keys; `resident` is read from the roles when keys are written and set
-- again when the roles change (loket_store::people::insert_name_keys,
-- mark_search_roles). Keep in step with
-- migrations/postgres/0027_people_search_names.sql.
ALTER TABLE people_search ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE people_search ADD COLUMN resident INTEGER NOT NULL DEFAULT 0;
UPDATE people_search SET name = (SELECT u.name FROM users u WHERE u.id = people_search.user_id),
    resident = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = people_search.user_id
        AND r.role = 'resident') THEN 1 ELSE 0 END;
CREATE INDEX people_search_names ON people_search (resident, key, name, user_id);
-- Keys written without a name by an instance of an older release during
-- a rolling upgrade, for the repair that looks for them every ten
-- minutes (loket_store::people::heal_people_search); empty otherwise.
CREATE INDEX people_search_unnamed ON people_search (user_id) WHERE name = '';
