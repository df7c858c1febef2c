-- The calendar's sync issues (provider objects the syncer skipped, and why), from
-- `calendar.sync_issues`; applied only when `sync_issues_version` is newer.
ALTER TABLE calendars
    ADD COLUMN sync_issues         jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN sync_issue_count    int NOT NULL DEFAULT 0,
    ADD COLUMN sync_issues_version bigint NOT NULL DEFAULT 0;
