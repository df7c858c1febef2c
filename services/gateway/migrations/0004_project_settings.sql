-- Project settings (`GET/PATCH /v1/project`). `oauth_apps` holds only the public facts of the
-- project's OAuth apps as the connector last reported them ({provider: {client_id,
-- client_secret_set, webhook_secret_set}}; the secrets live sealed in the connector), applied
-- only when its `oauth_apps_version` is newer. `bot_runner_url` is stored for the bot issue.
ALTER TABLE projects
    ADD COLUMN oauth_apps          jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN oauth_apps_version  bigint NOT NULL DEFAULT 0,
    ADD COLUMN bot_runner_url      text,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now();

-- Hosted OAuth flows in flight (`POST /v1/calendars/authorize` → `GET /v1/oauth/callback`),
-- found by the SHA-256 of their `state` (the state itself is never stored), deleted as they are
-- read (single use), refused after `expires_at`; they carry what the callback needs to create
-- the calendar and where to send the client's browser.
CREATE TABLE oauth_states (
    state_hash         bytea PRIMARY KEY,
    project_id         text NOT NULL REFERENCES projects (id),
    provider           text NOT NULL,
    redirect_uri       text NOT NULL,
    platform_uuid      text,
    metadata           jsonb NOT NULL DEFAULT '{}',
    deduplication_key  text,
    sync_window        jsonb NOT NULL,
    expires_at         timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
