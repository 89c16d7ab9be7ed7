-- The counters' configuration version (issue 19, item 1). Keep in step
-- with the other dialect's 0024_config_version.sql.
--
-- Every instance caches the counters' configuration (settings, services,
-- locations, desks per service, opening hours, closed days) in memory and
-- checks this one row before using it: one primary-key read instead of
-- six to eight per booking. Triggers bump the version on every change of
-- those tables, whoever makes it (a page, the CLI, a restore, plain SQL),
-- so no write path can forget it and every instance sees the change on
-- its next request.
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_config_version() RETURNS trigger AS $$
BEGIN
    UPDATE config_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER appt_services_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_services
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_locations_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_locations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_desks_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_desks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_desk_services_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_desk_services
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_hours_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_hours
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_closed_days_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_closed_days
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER appt_settings_bumps_config AFTER INSERT OR UPDATE OR DELETE ON appt_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
