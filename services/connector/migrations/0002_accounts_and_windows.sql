-- Grants belong to one provider account; the calendars of that account in one project share
-- its grant. `account` names the account (caldav: server URL and username; apple: the Apple
-- ID), never a secret.
ALTER TABLE grants ADD COLUMN account text NOT NULL DEFAULT '';
CREATE INDEX grants_account ON grants (project_id, provider, account);

-- The UTC day whose sync window the connection's events were last listed for: the window
-- moves forward daily, and a new day lists the calendar again.
ALTER TABLE connections ADD COLUMN window_day date;
