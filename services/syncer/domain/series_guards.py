"""Guards on expanding a recurring series, so one hostile or broken object cannot stall a
sync: rules that repeat more often than hourly or with an `INTERVAL` below 1 are refused
before expanding (dateutil would loop forever on `INTERVAL=0`), and the expansion itself is
bounded in instances (in the sync window) and in CPU time (`ExpansionLimits`)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from icalendar import Component

from services.syncer.domain import cpu_budget, ical_props
from services.syncer.domain.errors import SeriesRefused

MAX_INSTANCES = 1_000
# targets.md M8: at most 100 ms of CPU per hostile item, parsing included (a 1,000-instance
# series expands in about 40 ms).
CPU_SECONDS = 0.08
# The CPU time mapping one page may use (a page is up to a few thousand objects; benign ones
# map at several thousand a second); objects left when it is spent are refused as `too_costly`.
PAGE_CPU_SECONDS = 5.0
_TOO_FREQUENT = frozenset({"SECONDLY", "MINUTELY"})


@dataclass(frozen=True)
class ExpansionLimits:
    """At most `max_instances` instances of one series in the window, `cpu_seconds` of
    `clock` (this thread's CPU time) to expand one object's series, and `page_cpu_seconds` of
    it to map a whole page."""

    max_instances: int = MAX_INSTANCES
    cpu_seconds: float = CPU_SECONDS
    page_cpu_seconds: float = PAGE_CPU_SECONDS
    clock: cpu_budget.Clock = field(default=time.thread_time, compare=False)


DEFAULT_LIMITS = ExpansionLimits()


def check_rules(vevents: Iterable[Component]) -> None:
    """Refuse a series whose RRULEs repeat by the second or minute, or every 0 (or fewer)
    periods; a rule the parser rejects is left for the expansion to report."""
    for vevent in vevents:
        for rule in ical_props.every(vevent, "RRULE"):
            frequency = str((rule.get("FREQ") or [""])[0]).upper()
            if frequency in _TOO_FREQUENT:
                raise SeriesRefused(
                    "unsupported_frequency", f"series repeats {frequency}: not supported"
                )
            interval = (rule.get("INTERVAL") or [1])[0]
            if not isinstance(interval, int) or interval < 1:
                raise SeriesRefused("invalid_interval", f"series has INTERVAL={interval}")
