-- Grants: a project's credentials for one provider account, sealed with AES-GCM
-- (`key_id` names the key; `ciphertext` is nonce || ciphertext, bound to this row's id).
CREATE TABLE grants (
    id          text PRIMARY KEY,
    project_id  text NOT NULL,
    provider    text NOT NULL,
    key_id      text NOT NULL,
    ciphertext  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Connections: one calendar synced with one grant. `state_version` orders the
-- `calendars.state` messages; the `sync_*` columns are the sync queue: a sync is due when
-- `sync_requested_at <= now()`, and in flight while `sync_claimed_until` lies ahead.
CREATE TABLE connections (
    calendar_id              text PRIMARY KEY,
    project_id               text NOT NULL,
    provider                 text NOT NULL,
    grant_id                 text NOT NULL REFERENCES grants (id),
    requested_platform_uuid  text,
    calendar_url             text,
    name                     text,
    account_email            text,
    account_addresses        text[] NOT NULL DEFAULT '{}',
    time_zone                text,
    state                    text NOT NULL
        CHECK (state IN ('connecting', 'connected', 'disconnected')),
    failure                  jsonb,
    sync_cursor              text,
    sync_window              jsonb NOT NULL DEFAULT '{}',
    state_version            bigint NOT NULL DEFAULT 0,
    sync_requested_at        timestamptz,
    sync_full                boolean NOT NULL DEFAULT false,
    sync_claimed_until       timestamptz,
    sync_failures            int NOT NULL DEFAULT 0,
    last_attempted_sync_at   timestamptz,
    last_successful_sync_at  timestamptz,
    next_poll_at             timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_grant ON connections (grant_id);
CREATE INDEX connections_sync_due ON connections (sync_requested_at)
    WHERE sync_requested_at IS NOT NULL;
CREATE INDEX connections_poll_due ON connections (next_poll_at)
    WHERE state = 'connected';
