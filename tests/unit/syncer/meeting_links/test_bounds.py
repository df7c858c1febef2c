"""Bounded work: huge or hostile descriptions finish quickly, and the documented limits hold."""

from __future__ import annotations

import time

import pytest

from services.syncer.domain.meeting_links import scanning
from services.syncer.domain.meeting_links.detect import find_meeting
from services.syncer.domain.meeting_links.platforms.other import NO_HOSTS
from services.syncer.domain.meeting_links.sources import MeetingSources

TEN_MB = 10 * 1024 * 1024
ZOOM = "https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1"

# Shapes that make naive patterns backtrack or loop: long runs of URL characters, repeated
# scheme and host prefixes, entities, tags, labels without values, and would-be folds.
HOSTILE = {
    "one letter": "a" * TEN_MB,
    "dotted labels": "a." * (TEN_MB // 2),
    "hyphenated labels": "a-" * (TEN_MB // 2),
    "schemes": "https://" * (TEN_MB // 8),
    "colons and slashes": ":/" * (TEN_MB // 2),
    "hosts without paths": "zoom.us " * (TEN_MB // 8),
    "hosts with short paths": "zoom.us/j/1 " * (TEN_MB // 12),
    "entities": "&amp;" * (TEN_MB // 5),
    "open tags": "<" * TEN_MB,
    "labels": "Passcode: " * (TEN_MB // 10),
    "labels and tags": "Passcode:<b>" * (TEN_MB // 12),
    "folds": ("x" * 70 + "https://\r\n ") * (TEN_MB // 80),
    "percent signs": "https://zoom.us/j/" + "%" * TEN_MB,
    "words": "lorem ipsum dolor sit amet " * (TEN_MB // 27),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_ten_megabyte_description_takes_bounded_time(name: str) -> None:
    description = HOSTILE[name]
    began = time.perf_counter()
    find_meeting(MeetingSources(location=description, description=description), NO_HOSTS)
    # Measured at a few milliseconds; seconds would mean super-linear work crept in.
    assert time.perf_counter() - began < 1.0


def test_a_link_at_either_end_of_a_huge_description_is_found() -> None:
    filler = "Minutes of the last meeting. " * (TEN_MB // 29)
    for description in (f"Join: {ZOOM}\n{filler}", f"{filler}\nJoin: {ZOOM}\nPasscode: 438211"):
        meeting = find_meeting(MeetingSources(description=description), NO_HOSTS)
        assert meeting is not None and meeting.key == "zoom:85551234567"


def test_the_middle_of_a_huge_description_is_not_scanned() -> None:
    half = "x" * scanning.HEAD
    meeting = find_meeting(MeetingSources(description=f"{half} {ZOOM} {half}"), NO_HOSTS)
    assert meeting is None
    nearly = "x" * (scanning.HEAD - len(ZOOM) - 2)
    meeting = find_meeting(MeetingSources(description=f"{nearly} {ZOOM} {half}"), NO_HOSTS)
    assert meeting is not None


def test_only_the_first_thousand_links_of_a_field_are_looked_at() -> None:
    many = " ".join(f"https://example.com/page/{n}" for n in range(scanning.MOST_LINKS))
    assert find_meeting(MeetingSources(description=f"{many} {ZOOM}"), NO_HOSTS) is None
    fewer = " ".join(f"https://example.com/page/{n}" for n in range(scanning.MOST_LINKS - 1))
    assert find_meeting(MeetingSources(description=f"{fewer} {ZOOM}"), NO_HOSTS) is not None
