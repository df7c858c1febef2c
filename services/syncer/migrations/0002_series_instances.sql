-- Recurring series are stored as their instances, each keyed by its event id alone: an
-- instance keeps its id when its series is retimed (its recurrence id changes) and when a
-- provider gives it a new object id (Google names instances by their original start), so
-- (object, recurrence key) is no longer unique; it stays indexed for loading by object.
ALTER TABLE events DROP CONSTRAINT events_calendar_id_provider_object_id_recurrence_key_key;
CREATE INDEX events_by_object ON events (calendar_id, provider_object_id);

-- Why an object did not become events: `unmappable` (bad data), or a recurring series refused
-- by a guard (`too_many_instances`, `unsupported_frequency`, `invalid_interval`, `too_costly`).
ALTER TABLE sync_issues ADD COLUMN reason text NOT NULL DEFAULT 'unmappable';
