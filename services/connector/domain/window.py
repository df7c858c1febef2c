"""The sync window: which days around today a calendar's events are kept for. It is anchored
on the UTC day, so it stays put during a day and moves forward at midnight UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from services.connector.domain import google_placement, graph_placement, placement, zoom_placement
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
    """What to publish: objects, removed ids, and (listings) the ids left out because every
    event of theirs ended before the window, so reconciling a full listing keeps them."""

    objects: tuple[ProviderObject, ...]
    removed: tuple[str, ...]
    before: tuple[str, ...] = ()


def apply_window(
    objects: Sequence[ProviderObject],
    removed: Sequence[str],
    bounds: tuple[datetime, datetime],
    *,
    listing: bool,
) -> Windowed:
    """A listing keeps what lies in the window (and what cannot be placed, for the syncer to
    report), noting what lies before it. A change moved past the window's end is reported
    removed, so its event goes; a change to a past event passes through.

    CPU work (every object is parsed): callers on an event loop run it in a thread."""
    kept: list[ProviderObject] = []
    gone = list(removed)
    before: list[str] = []
    for item in objects:
        where = place_object(item, bounds)
        if where in (Placement.INSIDE, Placement.UNKNOWN):
            kept.append(item)
        elif where is Placement.AFTER:
            if not listing:
                gone.append(item.provider_object_id)
        elif listing:
            before.append(item.provider_object_id)
        else:
            kept.append(item)
    return Windowed(tuple(kept), tuple(gone), tuple(before))


def roll_over(
    changed: Sequence[ProviderObject],
    removed: Sequence[str],
    listed: Sequence[ProviderObject],
    bounds: tuple[datetime, datetime],
) -> Windowed:
    """A new day's sync: the incremental changes under the change rules (moved past the
    window's end → removed, into the past → passed on), merged with a listing of the moved
    window for what entered it. The listing was fetched last, so it wins for an object in
    both. Published as changes, never as a full listing."""
    changes = apply_window(changed, removed, bounds, listing=False)
    listing = apply_window(listed, (), bounds, listing=True)
    listed_ids = {item.provider_object_id for item in listing.objects}
    objects = [o for o in changes.objects if o.provider_object_id not in listed_ids]
    gone = [object_id for object_id in changes.removed if object_id not in listed_ids]
    return Windowed((*objects, *listing.objects), tuple(gone))


def place_object(item: ProviderObject, bounds: tuple[datetime, datetime]) -> Placement:
    """Where a fetched object lies relative to the window, read in its own format."""
    if item.format == "google":
        return google_placement.place(item.data, *bounds)
    if item.format == "graph":
        return graph_placement.place(item.data, *bounds)
    if item.format == "zoom":
        return zoom_placement.place(item.data, *bounds)
    return placement.place(item.data, *bounds)
