"""Zoom meetings (providers.md §4) → canonical events."""
