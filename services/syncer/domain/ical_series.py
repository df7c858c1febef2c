"""One iCalendar object's recurring VEVENTs → the occurrences of each series around the sync
window, expanded by `recurring-ical-events` (RFC 5545 RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides, RANGE=THISANDFUTURE; providers.md §3.3), under the guards of `series_guards`.

A series is the VEVENTs sharing a UID: its master (the one without RECURRENCE-ID) and its
overrides, or overrides alone (an invitation to single instances). Occurrences removed by
EXDATE are not produced; one cancelled by an override (`STATUS:CANCELLED`, the master not
cancelled) is dropped. The expansion covers the window widened by two days on each side (a
margin the library's bounds and `Window.overlaps` need not agree on to the minute); only the
occurrences overlapping the window become instances. An occurrence's key depends on itself
alone (`instance_keys.key_of`), never on the occurrences that survive beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Component

from services.syncer.domain import cpu_budget, ical_props, ical_times, series_guards
from services.syncer.domain.errors import SeriesRefused
from services.syncer.domain.ical_times import FloatingZone
from services.syncer.domain.window import Window

Moment = datetime | date
MARGIN = timedelta(days=2)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: the VEVENT its details come from (the master, or the override that
    replaces or, RANGE=THISANDFUTURE, shifts it), its times and its original start, as
    written in the object (a zone-aware or floating date-time, or a date)."""

    source: Component
    start: Moment
    end: Moment
    original: Moment
    is_override: bool
    in_window: bool


@dataclass(frozen=True)
class Series:
    """A series' occurrences around the window, its zone and its own time of day (DTSTART's
    wall time; None all day or without a master)."""

    master: Component | None
    occurrences: tuple[Occurrence, ...]
    zone: tzinfo
    own_time: time | None

    def in_window(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.in_window]


def is_part_of_series(vevent: Component) -> bool:
    return any(name in vevent for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def expand(
    vevents: Sequence[Component],
    window: Window,
    limits: series_guards.ExpansionLimits,
    floating: FloatingZone,
) -> list[Series]:
    """Every series of the VEVENTs (in the order their UIDs appear); `SeriesRefused` when a
    guard refuses one, the library's `ValueError` (or `TypeError`, `KeyError`,
    `OverflowError`) on data it cannot read."""
    groups = _by_uid(vevents)
    for group in groups:
        series_guards.check_rules(group)
    try:
        return cpu_budget.run_within(
            limits.cpu_seconds,
            lambda: [_expand_one(g, window, limits, floating) for g in groups],
            limits.clock,
        )
    except cpu_budget.BudgetExceeded as exc:
        raise SeriesRefused("too_costly", f"series expansion {exc}") from exc


def _by_uid(vevents: Sequence[Component]) -> list[list[Component]]:
    groups: dict[object, list[Component]] = {}
    for vevent in vevents:
        uid = ical_props.text(vevent, "UID")
        groups.setdefault(uid if uid is not None else id(vevent), []).append(vevent)
    return list(groups.values())


def _expand_one(
    group: list[Component],
    window: Window,
    limits: series_guards.ExpansionLimits,
    floating: FloatingZone,
) -> Series:
    master = _preferred(v for v in group if "RECURRENCE-ID" not in v)
    overrides = _overrides(group)
    first = _moment(master or group[0], "DTSTART")
    zone = ical_times.series_zone(first, floating)
    occurrences: list[Occurrence] = []
    inside = 0
    for found in _library_occurrences(group, window.widened(MARGIN)):
        occurrence = _occurrence(found, master, overrides, window, floating)
        inside += occurrence.in_window
        if inside > limits.max_instances:
            raise SeriesRefused(
                "too_many_instances",
                f"series has more than {limits.max_instances} instances in the sync window",
            )
        if not _cancelled_alone(occurrence, master):
            occurrences.append(occurrence)
    occurrences.sort(key=lambda o: (ical_times.instant(o.start, floating), str(o.original)))
    own_time = first.time() if master is not None and isinstance(first, datetime) else None
    return Series(master, tuple(occurrences), zone, own_time)


def _library_occurrences(group: list[Component], span: Window) -> Iterator[Any]:
    """The library's occurrences of one series overlapping `span` (in no particular order)."""
    calendar = Calendar()
    for vevent in group:
        calendar.add_component(vevent)
    for series in recurring_ical_events.of(calendar).series:
        yield from series.between(span.start, span.end)


def _occurrence(
    found: Any,
    master: Component | None,
    overrides: dict[Any, Component],
    window: Window,
    floating: FloatingZone,
) -> Occurrence:
    start, end = found.start, found.end
    placed = window.overlaps(ical_times.instant(start, floating), ical_times.instant(end, floating))
    override = overrides.get(found.recurrence_ids)
    if override is None:
        if master is None:  # not expected from the library: reported as bad data, not a crash
            raise ValueError("an occurrence matches neither the master nor an override")
        return Occurrence(master, start, end, start, False, placed)
    adapter = recurring_ical_events.EventAdapter(override)
    if start == adapter.start:
        original = _moment(override, "RECURRENCE-ID")
    else:  # shifted by a RANGE=THISANDFUTURE override, from its original place in the rule
        original = start - adapter.move_recurrences_by
    return Occurrence(override, start, end, original, True, placed)


def _moment(vevent: Component, name: str) -> Moment:
    value = ical_props.single(vevent, name).dt
    if not isinstance(value, date):
        raise ValueError(f"{name} is neither a date nor a date-time")
    return value


def _overrides(group: list[Component]) -> dict[Any, Component]:
    """Overrides by the library's recurrence ids; of two for one instance, the higher SEQUENCE
    (the first on a tie), as the library chooses."""
    chosen: dict[Any, Component] = {}
    for vevent in group:
        if "RECURRENCE-ID" not in vevent:
            continue
        ids = recurring_ical_events.EventAdapter(vevent).recurrence_ids
        current = chosen.get(ids)
        if current is None or _sequence(vevent) > _sequence(current):
            chosen[ids] = vevent
    return chosen


def _preferred(masters: Iterator[Component]) -> Component | None:
    """The master the library expands: the highest SEQUENCE, the first on a tie."""
    best: Component | None = None
    for vevent in masters:
        if best is None or _sequence(vevent) > _sequence(best):
            best = vevent
    return best


def _sequence(vevent: Component) -> int:
    return int(recurring_ical_events.EventAdapter(vevent).sequence)


def _cancelled_alone(occurrence: Occurrence, master: Component | None) -> bool:
    """An override cancelling its instance of a live series: the instance is not listed."""
    return (
        occurrence.is_override
        and _cancelled(occurrence.source)
        and (master is None or not _cancelled(master))
    )


def _cancelled(vevent: Component) -> bool:
    return (ical_props.text(vevent, "STATUS") or "").strip().upper() == "CANCELLED"
