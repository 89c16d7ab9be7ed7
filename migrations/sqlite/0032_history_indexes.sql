-- The per-record histories paged by keyset (issue 19, item 4): an asset's
-- loans, a staff member's payroll lines and a campaign's print batches are
-- read a page at a time in the order of these columns, newest first (the
-- tables had no index by asset, none by month paid and none by campaign).
-- Keep in step with migrations/postgres/0032_history_indexes.sql.
CREATE INDEX asset_loans_asset ON asset_loans (asset_id, out_at, id);
CREATE INDEX telework_pay_lines_history ON telework_pay_lines (staff_id, month, kind, for_month);
CREATE INDEX vac_letter_batches_campaign ON vac_letter_batches (campaign_id, created_at, id);
