"""Zone names for the canonical model: any IANA or Windows name → the current IANA name.

Windows names (Graph's `originalStartTimeZone`, Outlook's TZIDs) map through CLDR's
`windowsZones` table as icalendar ships it. CLDR keeps legacy IANA names (`Asia/Calcutta`,
`Europe/Kiev`), which Google and Apple no longer write, so every name is then brought to its
current form with IANA's own data (the `tzdata` package: `tzdata.zi` links, `zone.tab`): a
name that `zone.tab` lists or that is a zone stays, any other link becomes its target, so
`Asia/Calcutta` is `Asia/Kolkata` but `Europe/Amsterdam` (a link, still listed) stays. Every
name of UTC is `UTC`, GMT's included (`GMT`, `Etc/GMT`, `Etc/UTC`, `Zulu`, `UCT`, `Greenwich`, …):
a zone without offset or DST is the same zone.

Only names of the IANA database count (`zoneinfo.available_timezones()`): not the host's own
`localtime`, `posixrules` or `Factory`, nor the `posix/` and `right/` copies some systems have
(`right/` zones count leap seconds), so a name means the same zone on every host.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

UTC_NAME = "UTC"
# The zones UTC's and GMT's names link to; the names themselves for when `tzdata` is missing.
_UTC_ZONES = frozenset({"Etc/UTC", "Etc/GMT"})
_UTC_ALIASES = frozenset(
    {
        "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu", "GMT", "GMT0",
        "GMT+0", "GMT-0", "Greenwich", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich",
    }
)  # fmt: skip
_HOST_NAMES = frozenset({"localtime", "posixrules", "Factory"})
_HOST_TREES = ("posix/", "right/")
# Microsoft's own names with no Windows zone id behind them (Graph `originalStartTimeZone`).
_MICROSOFT_UTC = "tzone://Microsoft/Utc"


def iana_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is no such zone."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def iana_name(name: str | None) -> str | None:
    """The current IANA name of a zone named by IANA (current or legacy) or by Windows; None
    when neither knows the name."""
    name = name.strip() if name else None
    if not name:
        return None
    if name.lower() == _MICROSOFT_UTC.lower():
        return UTC_NAME
    known = _iana_names()
    found = name if name in known else WINDOWS_TO_OLSON.get(name)
    if found is None or found not in known or iana_zone(found) is None:
        return None
    return current_name(found)


def current_name(name: str) -> str:
    """A known IANA name in its current form (a legacy link as its target; UTC as `UTC`)."""
    links, listed = _tz_database()
    target = name
    for _ in range(4):  # links point at zones; the bound only guards against odd data
        if target in listed or target not in links:
            break
        target = links[target]
    utc = target in _UTC_ZONES or target in _UTC_ALIASES or name in _UTC_ALIASES
    return UTC_NAME if utc else target


@cache
def _iana_names() -> frozenset[str]:
    """The IANA database's zone names, without the host's own and the `posix/`, `right/` trees."""
    return frozenset(
        name
        for name in available_timezones()
        if name not in _HOST_NAMES and not name.startswith(_HOST_TREES)
    )


@cache
def _tz_database() -> tuple[dict[str, str], frozenset[str]]:
    """IANA's links (name → target) and the names `zone.tab` lists, read once from the
    `tzdata` package (icalendar's dependency); empty without it, so names stay as written."""
    try:
        root = resources.files("tzdata.zoneinfo")
        compiled = (root / "tzdata.zi").read_text(encoding="utf-8")
        table = (root / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return {}, frozenset()
    links = {
        fields[2]: fields[1]
        for fields in (line.split() for line in compiled.splitlines())
        if len(fields) == 3 and fields[0] == "L"
    }
    listed = frozenset(
        fields[2]
        for fields in (line.split("\t") for line in table.splitlines())
        if len(fields) >= 3 and not fields[0].startswith("#")
    )
    return links, listed
