"""targets.md M8, hostile calendar data: each hostile object through the syncer's mapping entry
point (`map_object`, with a `MappingContext` built as `apply_provider_changes` builds it and the
default `ExpansionLimits`), its CPU time (this thread's), its peak traced memory and what became
of it (mapped, truncated, or refused as a sync issue); then benign objects mapped per second on
one core. Run alone with `python -m bench.hostile_data [--quick]`.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench import calendar_objects as objects
from services.connector.domain.paging import MAX_OBJECT_BYTES, encoded_size
from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.meeting_links.platforms.other import NO_HOSTS
from services.syncer.domain.series_guards import DEFAULT_LIMITS
from services.syncer.domain.window import Window
from shared.contracts.provider import ProviderObject

CPU_MS_TARGET = 100.0
PEAK_MB_TARGET = 64.0
BENIGN_PER_S_TARGET = 2_000

CONTEXT = MappingContext.of(
    "cal_bench",
    objects.CALENDAR_ZONE,
    (objects.OWNER,),
    NO_HOSTS,
    Window.of(objects.WINDOW_START, objects.WINDOW_END),
    DEFAULT_LIMITS,
)


@dataclass(frozen=True)
class Hostile:
    """A hostile object, built on demand, and what the syncer should make of it: `mapped`,
    `truncated` (mapped, description cut), `refused:<reason>[|<reason>]` (a sync issue), or
    `handled` (mapped or refused, as long as it is bounded)."""

    name: str
    build: Callable[[], ProviderObject]
    expected: str


def _series(rule: str, start: str = "20300107T090000Z") -> ProviderObject:
    body = ["UID:hostile", f"DTSTART:{start}", "DURATION:PT30M", "SUMMARY:x", f"RRULE:{rule}"]
    return objects.ical("series.ics", objects.vcalendar(body))


def _ical_description(size: int) -> ProviderObject:
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * (size // 57 + 1))[:size]
    body = [*objects.ical_vevent(1)[:6], f"DESCRIPTION:{objects.escaped(text)}"]
    return objects.ical("long.ics", objects.vcalendar(body))


def _google_html(size: int) -> ProviderObject:
    html = ("<p>Agenda <b>item</b> &amp; notes<br>" * (size // 36 + 1))[:size]
    return objects.google(objects.google_event(1, description=html))


def _graph_deep(depth: int) -> ProviderObject:
    body = {"contentType": "html", "content": "<div>" * depth + "deep" + "</div>" * depth}
    return objects.graph(objects.graph_event(1, body=body))


def _google_attendees(count: int) -> ProviderObject:
    people = [
        {"email": f"p{i}@example.org", "displayName": f"Person {i}", "responseStatus": "accepted"}
        for i in range(count)
    ]
    return objects.google(objects.google_event(1, attendees=people))


def _ical_vevents(count: int) -> ProviderObject:
    """Many small VEVENTs (UID, times, summary), each a separate event."""
    vevents = (objects.ical_vevent(n)[:5] for n in range(count))
    return objects.ical("many.ics", objects.vcalendar(*vevents))


HOSTILE: list[Hostile] = [
    Hostile("rrule DAILY;COUNT=1000000", lambda: _series("FREQ=DAILY;COUNT=1000000"), "mapped"),
    Hostile(
        "rrule DAILY;COUNT=1000000 from 1970",
        lambda: _series("FREQ=DAILY;COUNT=1000000", "19700101T090000Z"),
        "handled",
    ),
    Hostile(
        "rrule HOURLY;COUNT=1000000",
        lambda: _series("FREQ=HOURLY;COUNT=1000000"),
        "refused:too_many_instances|too_costly",
    ),
    Hostile(
        "rrule INTERVAL=0", lambda: _series("FREQ=DAILY;INTERVAL=0"), "refused:invalid_interval"
    ),
    Hostile("rrule MINUTELY", lambda: _series("FREQ=MINUTELY"), "refused:unsupported_frequency"),
    Hostile(
        "rrule never matches (30 Feb)",
        lambda: _series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
        "refused:too_costly",
    ),
    Hostile("ical 10 MB DESCRIPTION", lambda: _ical_description(objects.TEN_MB), "truncated"),
    Hostile("ical 700 KB DESCRIPTION", lambda: _ical_description(objects.DELIVERABLE), "truncated"),
    Hostile("google 10 MB html description", lambda: _google_html(objects.TEN_MB), "truncated"),
    Hostile(
        "google 700 KB html description", lambda: _google_html(objects.DELIVERABLE), "truncated"
    ),
    Hostile("graph body 100k nested <div>", lambda: _graph_deep(100_000), "mapped"),
    Hostile("graph body 20k nested <div>", lambda: _graph_deep(20_000), "mapped"),
    Hostile("google 10k attendees", lambda: _google_attendees(10_000), "mapped"),
    Hostile("ical 10k VEVENTs in one object", lambda: _ical_vevents(10_000), "handled"),
    Hostile("ical 5k VEVENTs in one object", lambda: _ical_vevents(5_000), "handled"),
]


@dataclass(frozen=True)
class Outcome:
    events: int
    refused: str | None  # the sync issue's reason
    description_truncated: bool

    def matches(self, expected: str) -> bool:
        kind, _, reasons = expected.partition(":")
        if kind == "refused":
            return self.refused in reasons.split("|")
        if kind == "truncated":
            return self.refused is None and self.description_truncated
        return kind == "handled" or (kind == "mapped" and self.refused is None)

    def __str__(self) -> str:
        if self.refused:
            return f"refused ({self.refused})"
        return f"{self.events} events" + (", truncated" if self.description_truncated else "")


def map_one(obj: ProviderObject) -> Outcome:
    try:
        events = map_object(obj, CONTEXT)
    except MappingError as exc:  # becomes the object's sync issue; the calendar syncs on
        return Outcome(0, exc.reason, False)
    return Outcome(len(events), None, any(e.description_truncated for e in events))


def timed(obj: ProviderObject) -> tuple[Outcome, float]:
    """What became of the object, and this thread's CPU time mapping it once (untraced)."""
    gc.collect()
    began = time.thread_time()
    outcome = map_one(obj)
    return outcome, (time.thread_time() - began) * 1000


def peak_mb(obj: ProviderObject) -> float:
    """The peak of memory allocated while mapping the object (its own input excluded)."""
    gc.collect()
    tracemalloc.start()
    try:
        map_one(obj)
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def measure_hostile(item: Hostile, repeats: int) -> dict[str, Any]:
    obj = item.build()
    runs = [timed(obj) for _ in range(repeats)]
    outcome = runs[0][0]
    cpu = statistics.median(ms for _, ms in runs)
    peak = peak_mb(obj)
    return {
        "item": item.name,
        "input_mb": round(len(obj.data.encode()) / 1024 / 1024, 2),
        "reaches_syncer": encoded_size(obj) <= MAX_OBJECT_BYTES,
        "cpu_ms": round(cpu, 1),
        "peak_mb": round(peak, 1),
        "outcome": str(outcome),
        "expected": item.expected,
        "as_expected": outcome.matches(item.expected),
        "meets_target": cpu <= CPU_MS_TARGET and peak <= PEAK_MB_TARGET,
    }


def benign_rate(kinds: list[objects.Kind], seconds: float) -> dict[str, Any]:
    """Objects (and the canonical events they give) mapped per second of this thread's CPU
    time (one core, whatever else the machine runs), over a shuffled mix."""
    mix = [kind.build(n) for kind in kinds for n in range(kind.share * 10)]
    random.Random(7).shuffle(mix)  # noqa: S311 - a fixed order, not a secret
    done = produced = 0
    began = time.thread_time()
    while (elapsed := time.thread_time() - began) < seconds:
        for obj in mix:
            produced += len(map_object(obj, CONTEXT))
        done += len(mix)
    return {"objects_per_s": round(done / elapsed), "events_per_s": round(produced / elapsed)}


def measure(quick: bool) -> dict[str, Any]:
    began = time.perf_counter()
    items = [measure_hostile(item, 1 if quick else 3) for item in HOSTILE]
    seconds = 1.0 if quick else 4.0
    mix = benign_rate(objects.BENIGN, seconds)
    per_kind = {k.name: benign_rate([k], seconds / 4)["objects_per_s"] for k in objects.BENIGN}
    return {
        "targets": asdict(_Targets()),
        "hostile": items,
        "hostile_all_as_expected": all(i["as_expected"] for i in items),
        "hostile_within_target": sum(i["meets_target"] for i in items),
        "hostile_count": len(items),
        "benign_mix": mix,
        "benign_per_kind_objects_per_s": per_kind,
        "benign_meets_target": mix["objects_per_s"] >= BENIGN_PER_S_TARGET,
        "seconds": round(time.perf_counter() - began, 1),
    }


@dataclass(frozen=True)
class _Targets:
    cpu_ms_per_item: float = CPU_MS_TARGET
    peak_mb_per_item: float = PEAK_MB_TARGET
    benign_objects_per_s: int = BENIGN_PER_S_TARGET


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure(quick="--quick" in sys.argv), indent=2))
