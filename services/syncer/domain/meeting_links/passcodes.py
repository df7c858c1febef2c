"""Passcodes written in invitation text ("Passcode: 438211", "Meeting password: Xy7k2Q",
"Kenncode: 123456", "Code secret : 4821") for the platforms whose passcode a person types when
joining by number: Zoom, Teams and Webex.

A value counts only with a digit in it, so "Password: none" or "Passcode: see below" is no
passcode; HTML tags and `&nbsp;` may stand between the label and the value.
"""

from __future__ import annotations

import re
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


def written_in(field: Field, start: int = 0) -> str | None:
    """The first labelled passcode of the field from offset `start` (among its first 16 labels)."""
    for count, position in enumerate(_label_positions(field.lower, start)):
        if count == _MOST_LABELS:
            break
        if not _starts_word(field.lower, position):
            continue  # "bypass", not a label
        if labelled := _LABELLED.match(field.lower, position):
            value = field.text[labelled.start(1) : labelled.end(1)].rstrip(".!-_*")
            if _DIGIT.search(value):
                return value
    return None


def _starts_word(lower: str, position: int) -> bool:
    """No letter right before `position`, or an iCalendar `\\n` escape (raw ICS text)."""
    before = lower[max(0, position - 2) : position]
    return not before[-1:].isalpha() or before == "\\n"


def _label_positions(lower: str, start: int) -> list[int]:
    """Where labels may start, in text order: the first 16 of each kind suffice."""
    found = [
        match.start()
        for core in _CORES
        for match in islice(core.finditer(lower, start), _MOST_LABELS)
    ]
    return sorted(found)
