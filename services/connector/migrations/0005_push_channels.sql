-- The calendar's open provider push channel (Google watch channel). Its token is not stored:
-- it is derived from the channel id under ROLLCALL_PUSH_SECRET (shared/push_tokens.py).
ALTER TABLE connections
    ADD COLUMN push_channel_id text,
    ADD COLUMN push_resource_id text,
    ADD COLUMN push_expires_at timestamptz;

-- Channels to stop at the provider (replaced by a renewal, or of a deleted calendar), with a
-- copy of the grant's sealed credentials (the grant itself may be gone); a row is deleted once
-- stopped or given up on (the channel then just expires).
CREATE TABLE push_channel_stops (
    channel_id      text PRIMARY KEY,
    resource_id     text NOT NULL,
    provider        text NOT NULL,
    project_id      text NOT NULL,
    grant_id        text NOT NULL,
    key_id          text NOT NULL,
    ciphertext      bytea NOT NULL,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_channel_stops_due ON push_channel_stops (next_attempt_at);
