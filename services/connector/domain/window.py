"""The sync window: which days around today a calendar's events are kept for. It is anchored
on the UTC day, so it stays put during a day and moves forward at midnight UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from services.connector.domain import google_placement, placement
from services.connector.domain.placement import Placement
from shared.contracts.connections import SyncWindow
from shared.contracts.provider import ProviderObject


def window_of(stored: dict[str, Any] | None) -> SyncWindow:
    """The stored window, or the default one for a connection no command has configured yet."""
    return SyncWindow.model_validate(stored) if stored else SyncWindow()


def bounds(window: SyncWindow, now: datetime) -> tuple[datetime, datetime]:
    """The window's start and end instants around `now` (for providers that list by time)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timedelta(days=window.past_days), now + timedelta(days=window.future_days)


def day_bounds(window: SyncWindow, today: date) -> tuple[datetime, datetime]:
    """From the start of the first past day to the end of the last future day, UTC."""
    start = datetime.combine(today - timedelta(days=window.past_days), time.min, UTC)
    end = datetime.combine(today + timedelta(days=window.future_days + 1), time.min, UTC)
    return start, end


@dataclass(frozen=True)
class Windowed:
    objects: tuple[ProviderObject, ...]
    removed: tuple[str, ...]


def apply_window(
    objects: Sequence[ProviderObject],
    removed: Sequence[str],
    bounds: tuple[datetime, datetime],
    *,
    listing: bool,
) -> Windowed:
    """A listing keeps what lies in the window (and what cannot be placed, for the syncer to
    report). A change moved past the window's end is reported removed, so its event goes;
    a change to a past event passes through."""
    kept: list[ProviderObject] = []
    gone = list(removed)
    for item in objects:
        where = place_object(item, bounds)
        if where in (Placement.INSIDE, Placement.UNKNOWN):
            kept.append(item)
        elif not listing and where is Placement.AFTER:
            gone.append(item.provider_object_id)
        elif not listing:
            kept.append(item)
    return Windowed(tuple(kept), tuple(gone))


def place_object(item: ProviderObject, bounds: tuple[datetime, datetime]) -> Placement:
    """Where a fetched object lies relative to the window, read in its own format."""
    if item.format == "google":
        return google_placement.place(item.data, *bounds)
    return placement.place(item.data, *bounds)
