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
CREATE TRIGGER appt_services_insert_bumps_config AFTER INSERT ON appt_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_services_update_bumps_config AFTER UPDATE ON appt_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_services_delete_bumps_config AFTER DELETE ON appt_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_locations_insert_bumps_config AFTER INSERT ON appt_locations
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_locations_update_bumps_config AFTER UPDATE ON appt_locations
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_locations_delete_bumps_config AFTER DELETE ON appt_locations
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desks_insert_bumps_config AFTER INSERT ON appt_desks
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desks_update_bumps_config AFTER UPDATE ON appt_desks
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desks_delete_bumps_config AFTER DELETE ON appt_desks
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desk_services_insert_bumps_config AFTER INSERT ON appt_desk_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desk_services_update_bumps_config AFTER UPDATE ON appt_desk_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_desk_services_delete_bumps_config AFTER DELETE ON appt_desk_services
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_hours_insert_bumps_config AFTER INSERT ON appt_hours
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_hours_update_bumps_config AFTER UPDATE ON appt_hours
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_hours_delete_bumps_config AFTER DELETE ON appt_hours
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_closed_days_insert_bumps_config AFTER INSERT ON appt_closed_days
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_closed_days_update_bumps_config AFTER UPDATE ON appt_closed_days
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_closed_days_delete_bumps_config AFTER DELETE ON appt_closed_days
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_settings_insert_bumps_config AFTER INSERT ON appt_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_settings_update_bumps_config AFTER UPDATE ON appt_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER appt_settings_delete_bumps_config AFTER DELETE ON appt_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
