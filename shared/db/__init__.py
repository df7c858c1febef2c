"""Postgres plumbing: connection pools, per-service roles and schemas, the migration runner."""
