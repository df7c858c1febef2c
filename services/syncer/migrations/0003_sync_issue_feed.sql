-- What was last announced of the calendar's sync issues (`calendar.sync_issues`): a digest of
-- the set, and the version the announcement carried (consumers keep the newest).
ALTER TABLE calendars
    ADD COLUMN issues_digest  text,
    ADD COLUMN issues_version bigint NOT NULL DEFAULT 0;
