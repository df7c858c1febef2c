-- The scheduler's view of upcoming meetings: one row per canonical event, the latest version
-- only. Bot schedules and join timers (later migrations) hang off this index.
CREATE TABLE meeting_events (
    event_id     text PRIMARY KEY,
    project_id   text NOT NULL,
    calendar_id  text NOT NULL,
    version      bigint NOT NULL,
    start_time   timestamptz NOT NULL,
    end_time     timestamptz NOT NULL,
    status       text NOT NULL,
    is_deleted   boolean NOT NULL,
    meeting_url  text,
    meeting_key  text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_events_calendar ON meeting_events (calendar_id);
CREATE INDEX meeting_events_upcoming ON meeting_events (start_time) WHERE NOT is_deleted;

-- Deleted calendars: `calendar.deleted` and `events.changed` travel on different topics, so a
-- change may arrive after the deletion; it must not bring the calendar's events back.
CREATE TABLE deleted_calendars (
    calendar_id text PRIMARY KEY,
    deleted_at  timestamptz NOT NULL DEFAULT now()
);
