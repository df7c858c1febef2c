-- The sync that last listed an object with an issue: a full listing's reconciliation forgets
-- the issues of objects it did not list (deleted at the provider meanwhile).
ALTER TABLE sync_issues ADD COLUMN listed_sync_id text;
