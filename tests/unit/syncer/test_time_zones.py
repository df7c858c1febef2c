"""Zone names: IANA (current or legacy) and Windows names to the current IANA name."""

from __future__ import annotations

import pytest
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from services.syncer.domain.time_zones import current_name, iana_name, iana_zone


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        (" Pacific Standard Time ", "America/Los_Angeles"),
        ("India Standard Time", "Asia/Kolkata"),  # CLDR says Asia/Calcutta
        ("FLE Standard Time", "Europe/Kyiv"),  # CLDR says Europe/Kiev
        ("Nepal Standard Time", "Asia/Kathmandu"),
        ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Amsterdam", "Europe/Amsterdam"),  # a link, but zone.tab still lists it
        ("Europe/Oslo", "Europe/Oslo"),
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Zulu", "UTC"),
        ("tzone://Microsoft/Utc", "UTC"),
        # GMT is UTC too (no offset, no DST): one name for the one zone.
        ("GMT", "UTC"),
        ("Etc/GMT", "UTC"),
        ("Etc/Zulu", "UTC"),
        ("UCT", "UTC"),
        ("Universal", "UTC"),
        ("Greenwich", "UTC"),
        ("GMT0", "UTC"),
        ("Etc/GMT+0", "UTC"),
        ("Etc/GMT+5", "Etc/GMT+5"),  # a fixed offset is not UTC
        ("UTC-11", "Etc/GMT+11"),  # Windows' fixed offsets
    ],
)
def test_known_names_become_current_iana_names(name: str, expected: str) -> None:
    assert iana_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [None, "", "  ", "Nowhere Standard Time", "tzone://Microsoft/Custom", "Mars/Olympus", "../etc"],
)
def test_unknown_names_are_none(name: str | None) -> None:
    assert iana_name(name) is None


def test_every_windows_name_of_cldr_maps_to_a_zone_python_knows() -> None:
    for windows, legacy in WINDOWS_TO_OLSON.items():
        name = iana_name(windows)
        assert name is not None and iana_zone(name) is not None, windows
        assert name == current_name(legacy)


def test_a_current_name_stays() -> None:
    assert current_name("America/New_York") == "America/New_York"
    assert current_name("Etc/GMT+5") == "Etc/GMT+5"


@pytest.mark.parametrize(
    "name",
    ["localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/Berlin", "posix/UTC"],
)
def test_names_only_some_hosts_have_are_none(name: str) -> None:
    """The host's own zone, its `posix/` and `right/` copies and `Factory` mean different
    zones (or none) on different hosts: not IANA names."""
    assert iana_name(name) is None
