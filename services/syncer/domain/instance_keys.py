"""Which key an instance of a recurring series gets, and so its event id, the same for every
provider: the date it originally fell on in the series' own zone (`YYYYMMDD`).

The id derives from (calendar, the provider object holding the series, that key), so it
survives re-syncs, a rename, and a retime within the day (10:00 → 11:00 keeps every id; a
bot attached to an instance stays attached). An occurrence moved to another day keeps its
original date, and so its id. An occurrence whose original start is not at the series' own
time of day (its DTSTART's: an RDATE at another time, `BYHOUR` lists, `HOURLY`; every
occurrence of a series without a master, whose own time is unknown) is keyed by its original
local date and time (`YYYYMMDDTHHMMSS`), so retiming those gives them new ids. An iCalendar
key depends on the occurrence alone, never on its siblings (`key_of`): were it to depend on
how many occurrences share the day, cancelling or removing one would hand its id to another,
and a bot attached to the cancelled meeting would join the other one. Zoom, which has no
original start, keys by crowded days over every listed occurrence, deleted ones included
(`keys_of`). A retime onto another day (or across midnight in the series' zone), or a zone
change that moves the local date, gives new ids; so does a series split by "this and
following" (its second half is a new series).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, tzinfo

from shared.ids import derived_id

Moment = datetime | date


def instance_id(calendar_id: str, series_object_id: str, key: str) -> str:
    return derived_id("evt", calendar_id, series_object_id, key)


def wall_time(original: Moment, zone: tzinfo) -> Moment:
    """The original start as a wall time of the series' zone: an instant converted, a floating
    time as written, a date as is."""
    if isinstance(original, datetime):
        if original.tzinfo is not None:
            original = original.astimezone(zone)
        return original.replace(tzinfo=None)
    return original


def day_key(original: Moment, zone: tzinfo) -> str:
    """`YYYYMMDD`: the original start's date in the series' zone."""
    return _day(wall_time(original, zone)).strftime("%Y%m%d")


def key_of(original: Moment, zone: tzinfo, own_time: time | None) -> str:
    """An iCalendar occurrence's key: the day key at the series' own time of day (`own_time`,
    its DTSTART's; None without a master) or all day, else the local date and time. It does
    not depend on the other occurrences, so none inherits the key of a cancelled one."""
    wall = wall_time(original, zone)
    return _key(wall, not _at(wall, own_time))


def keys_of(originals: Iterable[Moment], zone: tzinfo, own_time: time | None) -> dict[Moment, str]:
    """The key of each start of a series without original starts (Zoom's occurrences): the
    day key, unless the day has others and this one is not at the series' own time of day
    (`own_time`). `originals` must hold every occurrence the provider lists, removed ones
    too, so that removing one never re-keys (or hands its key to) another."""
    walls = {original: wall_time(original, zone) for original in originals}
    per_day = Counter(_day(wall) for wall in set(walls.values()))
    return {
        original: _key(wall, per_day[_day(wall)] > 1 and not _at(wall, own_time))
        for original, wall in walls.items()
    }


def _key(wall: Moment, with_time: bool) -> str:
    if with_time and isinstance(wall, datetime):
        return wall.strftime("%Y%m%dT%H%M%S")
    return _day(wall).strftime("%Y%m%d")


def _day(wall: Moment) -> date:
    return wall.date() if isinstance(wall, datetime) else wall


def _at(wall: Moment, own_time: time | None) -> bool:
    return isinstance(wall, datetime) and own_time is not None and wall.time() == own_time
