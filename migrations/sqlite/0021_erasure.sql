-- Erasure and restriction carried out, and closed cases kept per service
-- (issue 16, items 2 and 3). Keep in step with the other dialect's
-- 0021_erasure.sql.

-- A case only the privacy officer sees: kept because a legal retention
-- period still requires it after an erasure, or restricted on request
-- (GDPR art. 18). NULL: visible as usual.
ALTER TABLE cases ADD COLUMN restricted_at BIGINT;
-- When the case's personal data was removed (an erasure, or the service's
-- retention period after closing); the number, service, status history
-- and amounts stay for statistics.
ALTER TABLE cases ADD COLUMN anonymised_at BIGINT;
CREATE INDEX cases_closed ON cases (service_id, closed_at);

-- An account erased on request: it never signs in again.
ALTER TABLE users ADD COLUMN erased_at BIGINT;

-- A message whose body and recipient are stripped as soon as it is sent:
-- the outcome mail of an erasure, which must reach the address it erases.
ALTER TABLE outbox ADD COLUMN erase_after_send BIGINT NOT NULL DEFAULT 0;
