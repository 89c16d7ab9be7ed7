-- Data as the release with migrations up to 0013 wrote it (a city's
-- accounts, roles, an audit trail and contact moments). Plain INSERTs that
-- run on SQLite and PostgreSQL; written once for that schema and never
-- changed, like a released migration. `{{PASSWORD_HASH}}` is filled in by
-- the test. Instants are unix milliseconds (2026-11-30).
INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, created_at, updated_at)
VALUES ('019ad000-0000-7000-8000-000000000001', 'admin@leuven.example', 'admin@leuven.example', 'Sara Janssens', '{{PASSWORD_HASH}}', 'nl', 1764460800000, 1764460800000, 1764460800000);
INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, created_at, updated_at)
VALUES ('019ad000-0000-7000-8000-000000000002', 'Fien.Peeters@Example.org', 'fien.peeters@example.org', 'Fien Peeters', '{{PASSWORD_HASH}}', 'en', 1764460800000, 1764460800000, 1764460800000);
INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, created_at, updated_at)
VALUES ('019ad000-0000-7000-8000-000000000003', 'contact@leuven.example', 'contact@leuven.example', 'Ines Claes', '{{PASSWORD_HASH}}', 'nl', 1764460800000, 1764460800000, 1764460800000);
INSERT INTO user_roles (user_id, role, granted_at) VALUES ('019ad000-0000-7000-8000-000000000001', 'admin', 1764460800000);
INSERT INTO user_roles (user_id, role, granted_at) VALUES ('019ad000-0000-7000-8000-000000000002', 'resident', 1764460800000);
INSERT INTO user_roles (user_id, role, granted_at) VALUES ('019ad000-0000-7000-8000-000000000003', 'contact_centre', 1764460800000);
INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, before_summary, after_summary)
VALUES ('019ad000-0000-7000-8000-0000000000a1', 1764460800000, 'system', NULL, 'user.create', 'user', '019ad000-0000-7000-8000-000000000002', '019ad000-0000-7000-8000-000000000002', NULL, 'resident');
INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, answer, outcome, duration_minutes, agent_id, created_at, updated_at)
VALUES ('019ad000-0000-7000-8000-0000000000c1', 'C-2026-000101', 'phone', 'closed', '019ad000-0000-7000-8000-000000000002', 'Fien Peeters', 'fien.peeters@example.org', 'Bewonerskaart', 'Hoeveel kost een bewonerskaart?', '25 euro per jaar.', 'answered', 4, '019ad000-0000-7000-8000-000000000003', 1764460800000, 1764460800000);
INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, answer, outcome, duration_minutes, agent_id, created_at, updated_at)
VALUES ('019ad000-0000-7000-8000-0000000000c2', 'C-2026-000102', 'email', 'open', NULL, 'Jan', 'jan@example.org', 'Grofvuil', 'Wanneer wordt grofvuil opgehaald?', '', '', 0, NULL, 1764464400000, 1764464400000);
