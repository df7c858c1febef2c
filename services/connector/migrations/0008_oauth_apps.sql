-- A project's own OAuth apps for hosted OAuth (`PATCH /v1/project` oauth_apps), one per project
-- and provider. `ciphertext` seals {client_id, client_secret, webhook_secret?} like a grant's
-- credentials (associated data `rollcall:{project_id}:oauth_app:{provider}`); the client id
-- (public: every authorization URL shows it) and whether a webhook secret is set are kept in
-- the clear for the public facts the gateway shows.
CREATE TABLE oauth_apps (
    project_id          text NOT NULL,
    provider            text NOT NULL CHECK (provider IN ('google', 'microsoft', 'zoom')),
    client_id           text NOT NULL,
    has_webhook_secret  boolean NOT NULL,
    key_id              text NOT NULL,
    ciphertext          bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, provider)
);

-- Per project, a counter bumped (and its row locked) by every change of its apps: changes of
-- one project run one after the other, and the gateway applies their answers in this order.
CREATE TABLE oauth_app_versions (
    project_id  text PRIMARY KEY,
    version     bigint NOT NULL
);

-- Hosted OAuth authorizations in flight: the PKCE verifier of one authorization request
-- (sealed; associated data `rollcall:{project_id}:oauth_authorization:{hash}:{provider}`) and
-- the redirect URI the provider was given, found by the SHA-256 of the request's `state`
-- (never stored), consumed once by the code exchange, dead after `expires_at`.
CREATE TABLE oauth_authorizations (
    state_hash    bytea PRIMARY KEY,
    project_id    text NOT NULL,
    provider      text NOT NULL,
    redirect_uri  text NOT NULL,
    key_id        text NOT NULL,
    ciphertext    bytea NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_authorizations_expiry ON oauth_authorizations (expires_at);
