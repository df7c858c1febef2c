"""Kafka plumbing: broker factory, transactional outbox and relay, inbox-deduplicated consumer."""

from __future__ import annotations

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
