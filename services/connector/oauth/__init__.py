"""Provider-neutral OAuth 2.0 grants: direct credentials, the token endpoint, the per-grant
access-token cache with one refresh at a time, and authorized requests under a request budget.
Google uses it today; Microsoft and Zoom (rotating refresh tokens) reuse it unchanged."""
