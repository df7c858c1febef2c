"""A stored recurring master's instances: its cached expansion merged with its stored exceptions.

An exception (a modified or cancelled instance) is a stored event whose id is the instance id; it
replaces the generated instance with the same original start, wherever it has been moved to.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.google import recurrence
from sandbox.google.recurrence import Expansion
from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import EventTime

logger = logging.getLogger(__name__)

# Re-expand an open-ended series once "now" has moved this far past the cached horizon's start.
_REFRESH = timedelta(days=1)


@dataclass(slots=True)
class Instance:
    """One instance: generated (`exception` None), stored as an exception, or a dropped id."""

    original: EventTime
    orig_ts: float
    instance_id: str
    exception: StoredEvent | None = None
    dropped: bool = False


def expansion_of(master: StoredEvent, calendar: Calendar, now: datetime) -> Expansion:
    """The master's expansion, cached on the master until it changes or the horizon moves."""
    assert master.recurrence is not None
    cached = master.expansion
    horizon_end = (now + recurrence.HORIZON - _REFRESH).timestamp()
    if cached is None or (not cached.complete and cached.bound_ts < horizon_end):
        try:
            cached = recurrence.expand(master.recurrence, master.start, calendar.zone, now)
        except Exception:  # one broken series must not break listing its whole calendar
            logger.exception(
                "recurrence expansion failed",
                extra={"calendar_id": calendar.id, "event_id": master.id},
            )
            cached = recurrence.first_only(master.start, calendar.zone)
        master.expansion = cached
    return cached


def duration(master: StoredEvent) -> float:
    return master.end_ts - master.start_ts


def instances(
    master: StoredEvent,
    calendar: Calendar,
    now: datetime,
    *,
    time_min: float | None = None,
    time_max: float | None = None,
    inclusive_min: bool = False,
    after: float | None = None,
    with_dropped: bool = False,
) -> list[Instance]:
    """Instances overlapping [time_min, time_max) with original start > `after`, in original order.

    `time_min` bounds instance ends (exclusive unless `inclusive_min`), `time_max` bounds starts.
    """
    expansion = expansion_of(master, calendar, now)
    stamps = expansion.start_ts
    span = duration(master)
    low = 0
    if time_min is not None:
        edge = time_min - span
        low = bisect_left(stamps, edge) if inclusive_min else bisect_right(stamps, edge)
    if after is not None:
        low = max(low, bisect_right(stamps, after))
    high = len(stamps) if time_max is None else bisect_left(stamps, time_max)
    exceptions = calendar.exceptions.get(master.id)
    if not exceptions and not (with_dropped and master.dropped):
        return [
            Instance(
                expansion.originals[i],
                stamps[i],
                recurrence.instance_id(master.id, expansion.originals[i]),
            )
            for i in range(low, high)
        ]
    found: dict[str, Instance] = {}
    for i in range(low, high):
        original = expansion.originals[i]
        instance_id = recurrence.instance_id(master.id, original)
        found[instance_id] = Instance(original, stamps[i], instance_id)
    for instance_id, exception in (exceptions or {}).items():
        _place_exception(
            found, instance_id, exception, calendar, time_min, time_max, inclusive_min, after
        )
    if with_dropped:
        for instance_id, original in master.dropped.items():
            orig_ts = original.instant(calendar.zone).timestamp()
            if instance_id not in found and (after is None or orig_ts > after):
                found[instance_id] = Instance(original, orig_ts, instance_id, dropped=True)
    return sorted(found.values(), key=lambda item: (item.orig_ts, item.instance_id))


def _place_exception(
    found: dict[str, Instance],
    instance_id: str,
    exception: StoredEvent,
    calendar: Calendar,
    time_min: float | None,
    time_max: float | None,
    inclusive_min: bool,
    after: float | None,
) -> None:
    """An exception shows where it now is: in the window by its own times, not its original's."""
    if exception.original_start is None:
        return
    orig_ts = exception.original_start.instant(calendar.zone).timestamp()
    overlaps = (
        time_min is None
        or exception.end_ts > time_min
        or (inclusive_min and exception.end_ts == time_min)
    ) and (time_max is None or exception.start_ts < time_max)
    if not overlaps or (after is not None and orig_ts <= after):
        found.pop(instance_id, None)
        return
    found[instance_id] = Instance(exception.original_start, orig_ts, instance_id, exception)


def is_instance_of(
    master: StoredEvent, calendar: Calendar, original: EventTime, now: datetime
) -> bool:
    """True when `original` (from an instance id) is a start of the master's series."""
    assert master.recurrence is not None
    orig_ts = original.instant(calendar.zone).timestamp()
    expansion = expansion_of(master, calendar, now)
    index = bisect_left(expansion.start_ts, orig_ts)
    if index < len(expansion.start_ts) and expansion.start_ts[index] == orig_ts:
        return True
    if expansion.complete or orig_ts < expansion.bound_ts:
        return False
    try:
        return recurrence.is_occurrence(master.recurrence, master.start, calendar.zone, original)
    except Exception:  # as in `expansion_of`: a broken series has no further instances
        logger.exception(
            "recurrence lookup failed", extra={"calendar_id": calendar.id, "event_id": master.id}
        )
        return False


def dropped_instances(
    before: StoredEvent, after: StoredEvent, calendar: Calendar, now: datetime
) -> dict[str, EventTime]:
    """Instance ids a master's change removed (within the horizon), for incremental listings."""
    if before.recurrence is None:
        return dict(after.dropped)
    old = expansion_of(before, calendar, now)
    kept: set[str] = set()
    if after.recurrence is not None and not after.cancelled:
        new = expansion_of(after, calendar, now)
        kept = {recurrence.instance_id(after.id, o) for o in new.originals}
    dropped = dict(after.dropped)
    for original in old.originals:
        instance_id = recurrence.instance_id(before.id, original)
        if instance_id not in kept:
            dropped[instance_id] = original
    for instance_id in kept:
        dropped.pop(instance_id, None)
    return dropped
