-- The syncer's canonical store. `calendars` carries the per-calendar version every change
-- message is numbered with, and the tombstone that makes later pages of a deleted calendar no-ops.
CREATE TABLE calendars (
    calendar_id text PRIMARY KEY,
    project_id  text NOT NULL,
    version     bigint NOT NULL DEFAULT 0,
    deleted     boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per canonical event (a master or an override of one provider object); deleted events
-- stay as tombstones so a reappearing object is announced as created again, with the same id.
-- `state` is the EventState in JSON mode; `last_sync_id` drives full-listing reconciliation.
CREATE TABLE events (
    id                 text PRIMARY KEY,
    calendar_id        text NOT NULL REFERENCES calendars (calendar_id),
    project_id         text NOT NULL,
    provider_object_id text NOT NULL,
    recurrence_key     text NOT NULL DEFAULT '',
    state              jsonb NOT NULL,
    is_deleted         boolean NOT NULL DEFAULT false,
    version            bigint NOT NULL,
    last_sync_id       text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (calendar_id, provider_object_id, recurrence_key)
);
CREATE INDEX events_live_by_calendar ON events (calendar_id) WHERE NOT is_deleted;

-- Provider objects that could not be mapped (bad data: recorded and skipped, the rest syncs);
-- a row is cleared once its object maps again or is removed.
CREATE TABLE sync_issues (
    calendar_id        text NOT NULL,
    provider_object_id text NOT NULL,
    error              text NOT NULL,
    at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (calendar_id, provider_object_id)
);

-- Pages of each full listing applied so far. Reconciliation (deleting what the listing did not
-- name) runs only once every page of that listing has been applied, whatever their order; a
-- listing with a missing page (dead-lettered, say) never deletes anything.
CREATE TABLE full_sync_pages (
    calendar_id text NOT NULL,
    sync_id     text NOT NULL,
    page        int NOT NULL,
    final       boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (calendar_id, sync_id, page)
);
CREATE INDEX full_sync_pages_at ON full_sync_pages (at);
