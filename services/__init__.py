"""Rollcall's four services; none imports another (import-linter enforces it)."""
