-- Retention: events that ended more than `SYNCER_EVENT_RETENTION_DAYS` ago, and before the
-- calendar's sync window, are pruned in batches. `end_at` is the event's end as an instant
-- (an all-day end date counts from midnight UTC), indexed per calendar for the pruning job;
-- `window_start` is the start of the window the calendar's latest page was fetched for
-- (null until a page names one: such a calendar is not pruned).
ALTER TABLE events ADD COLUMN end_at timestamptz;
UPDATE events SET end_at = CASE
    WHEN length(state->>'end_time') = 10
        THEN (state->>'end_time')::date::timestamp AT TIME ZONE 'UTC'
    ELSE (state->>'end_time')::timestamptz
END;
ALTER TABLE events ALTER COLUMN end_at SET NOT NULL;
CREATE INDEX events_by_end ON events (calendar_id, end_at);

ALTER TABLE calendars ADD COLUMN window_start timestamptz;
