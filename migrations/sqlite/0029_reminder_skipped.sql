-- An appointment reminder that could not be mailed (the resident has no
-- usable e-mail address, or the resident, service or location is gone) is
-- marked here, and reminder_sent_at stays NULL: it was not sent. The
-- due-reminders query skips both, so unmailable reminders do not fill
-- every batch. Keep in step with migrations/postgres/0029_reminder_skipped.sql.
ALTER TABLE appointments ADD COLUMN reminder_skipped_at BIGINT;
