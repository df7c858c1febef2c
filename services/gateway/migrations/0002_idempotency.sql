-- Idempotency-Key (api.md → Conventions): the first response to a POST with a key is kept for
-- 24 h and replayed for the same key and request; `status` is NULL while the first one runs.
CREATE TABLE idempotency_keys (
    project_id   text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       int,
    content_type text,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
