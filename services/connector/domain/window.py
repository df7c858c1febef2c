"""The sync window: which days around today a calendar's events are kept for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.contracts.connections import SyncWindow


def window_of(stored: dict[str, Any] | None) -> SyncWindow:
    """The stored window, or the default one for a connection no command has configured yet."""
    return SyncWindow.model_validate(stored) if stored else SyncWindow()


def bounds(window: SyncWindow, now: datetime) -> tuple[datetime, datetime]:
    """The window's start and end instants around `now` (for providers that list by time)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timedelta(days=window.past_days), now + timedelta(days=window.future_days)
