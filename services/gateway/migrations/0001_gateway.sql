-- Tenants and their API keys (stored as SHA-256 hashes only: keys are 256-bit random).
CREATE TABLE projects (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    project_id  text NOT NULL REFERENCES projects (id),
    key_hash    bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Calendar read model: written first by the API (so POST then GET is consistent), then kept
-- current from `calendars.state` (applied only when `state_version` is newer).
CREATE TABLE calendars (
    id                      text PRIMARY KEY,
    project_id              text NOT NULL REFERENCES projects (id),
    provider                text NOT NULL,
    state                   text NOT NULL,
    platform_uuid           text,
    name                    text,
    account_email           text,
    metadata                jsonb NOT NULL DEFAULT '{}',
    deduplication_key       text,
    connection_failure_data jsonb,
    sync_window             jsonb NOT NULL,
    state_version           bigint NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    last_attempted_sync_at  timestamptz,
    last_successful_sync_at timestamptz,
    deleted_at              timestamptz
);
CREATE INDEX calendars_project_created ON calendars (project_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX calendars_dedup ON calendars (project_id, deduplication_key)
    WHERE deduplication_key IS NOT NULL AND deleted_at IS NULL;

-- Event read model from `events.changed`; `version` is the calendar version of the last change
-- applied, so replays and reordering never regress an event.
CREATE TABLE events (
    id           text PRIMARY KEY,
    project_id   text NOT NULL,
    calendar_id  text NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    version      bigint NOT NULL,
    start_at     timestamptz NOT NULL,
    end_at       timestamptz NOT NULL,
    is_deleted   boolean NOT NULL,
    body         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_project_start ON events (project_id, start_at, id);
CREATE INDEX events_calendar_start ON events (calendar_id, start_at, id);
CREATE INDEX events_project_updated ON events (project_id, updated_at, id);
