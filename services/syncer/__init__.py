"""Syncer: maps raw provider objects to canonical events, diffs them and announces each change."""
