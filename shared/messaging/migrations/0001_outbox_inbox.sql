-- Transactional outbox: rows written in the same transaction as the state they announce,
-- published by the relay. A row is unpublished until `published_at` is set, whatever its id.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    message_id    uuid NOT NULL UNIQUE,
    topic         text NOT NULL,
    key           text NOT NULL,
    envelope      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    published_at  timestamptz,
    -- Set when the broker can never accept the row (too large): kept for inspection, skipped.
    failed_at     timestamptz,
    failure       text
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND failed_at IS NULL;

-- Inbox: one row per consumed message id, written in the consumer's transaction, so a
-- redelivered message (offset not yet committed when a consumer died) changes nothing.
CREATE TABLE inbox (
    message_id  uuid PRIMARY KEY,
    topic       text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_received_at ON inbox (received_at);
