"""Passcodes written in invitation text ("Passcode: 438211", "Meeting password: Xy7k2Q",
"Kenncode: 123456", "Code secret : 4821") for the platforms whose passcode a person types when
joining by number: Zoom, Teams and Webex.

A value counts only with a digit in it, so "Password: none" or "Passcode: see below" is no
passcode; HTML tags and `&nbsp;` may stand between the label and the value. A labelled passcode
belongs to the nearest meeting link before it: text with two meetings gives each its own, and
a meeting without one never takes the next meeting's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import islice

from services.syncer.domain.meeting_links.scanning import Field

TEXT_PASSCODE_PLATFORMS = frozenset({"zoom", "teams", "webex"})
# Each label holds one of these literals; scanning for literals keeps the search fast.
_CORES = (re.compile("pass"), re.compile("kenncode"), re.compile("code secret"))
_LABELLED = re.compile(
    r"""(?:pass(?:[ ]?code|word|wort|e)|kenncode|code[ ]secret)
    [^\S\n]{0,3}[:\uff1a]                          # an ASCII or full-width colon
    (?:\s|&nbsp;|&\#160;|<[^<>]{0,256}>){0,12}+   # blanks and tags before the value
    ([a-z0-9][a-z0-9@\#$%*_.!\-]{0,31})""",
    re.VERBOSE,
)
_DIGIT = re.compile(r"\d")
_MOST_LABELS = 16


def belonging_to(
    field: Field, key: str, links: Sequence[tuple[str, int, int]], *, unclaimed: bool
) -> str | None:
    """The first labelled passcode of the meeting `key` in `field` (among the first 16 labels
    looked at): one written after a link of that meeting and before any link of another
    (`links`: each recognised meeting link's key, start and end, in text order); with
    `unclaimed`, also one written before the field's first meeting link."""
    seen = 0
    for start, end in _spans_of(key, links, len(field.lower), unclaimed):
        for position in _label_positions(field.lower, start, end):
            if seen == _MOST_LABELS:
                return None
            seen += 1
            if (value := _value_at(field, position)) is not None:
                return value
    return None


def _spans_of(
    key: str, links: Sequence[tuple[str, int, int]], length: int, unclaimed: bool
) -> Iterator[tuple[int, int]]:
    """The stretches of text between links whose nearest link before is one of `key`'s (or
    none, when `unclaimed`)."""
    owner: str | None = None
    since = 0
    for link_key, start, end in links:
        if (owner == key or (owner is None and unclaimed)) and start > since:
            yield since, start
        owner, since = link_key, end
    if owner == key or (owner is None and unclaimed):
        yield since, length


def _value_at(field: Field, position: int) -> str | None:
    """The passcode of a label starting at `position`, if there is one (a word, with a digit)."""
    if not _starts_word(field.lower, position):
        return None  # "bypass", not a label
    labelled = _LABELLED.match(field.lower, position)
    if labelled is None:
        return None
    value = field.text[labelled.start(1) : labelled.end(1)].rstrip(".!-_*")
    return value if _DIGIT.search(value) else None


def _starts_word(lower: str, position: int) -> bool:
    """No letter right before `position`, or an iCalendar `\\n` escape (raw ICS text)."""
    before = lower[max(0, position - 2) : position]
    return not before[-1:].isalpha() or before == "\\n"


def _label_positions(lower: str, start: int, end: int) -> list[int]:
    """Where labels may start between `start` and `end`, in text order: the first 16 of each
    kind suffice."""
    found = [
        match.start()
        for core in _CORES
        for match in islice(core.finditer(lower, start, end), _MOST_LABELS)
    ]
    return sorted(found)
