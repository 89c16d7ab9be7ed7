-- Like appointments in 0029: a vaccination booking's or a shift sign-up's
-- reminder that could not be mailed (no usable e-mail address, or its
-- invitation or campaign gone) is marked here and reminder_sent_at stays
-- NULL: it was not sent. The due lists skip both, so such reminders
-- neither stay due for ever nor fill every batch of the worker. Keep in
-- step with migrations/postgres/0031_more_reminders_skipped.sql.
ALTER TABLE vac_bookings ADD COLUMN reminder_skipped_at BIGINT;
ALTER TABLE shift_signups ADD COLUMN reminder_skipped_at BIGINT;
