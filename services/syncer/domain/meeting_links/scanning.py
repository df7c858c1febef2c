"""Where the links are in one text field (plain text or HTML alike: `href` values and link text
are both URL-shaped runs), with the offsets where each starts and ends.

Bounded work whatever the field's size: a field longer than 256 K characters is scanned only in
its first and last 128 K (invitations sit at the start or, in Outlook bodies, at the end); every
pattern here runs in linear time (bounded or possessive repetition, no nested unbounded ones)
and starts with a literal, so the regex engine skips ahead quickly; one link is at most 4 K
characters, and at most 1,000 links with a scheme and 1,000 without are looked at per field.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from services.syncer.domain.meeting_links import platforms

HEAD = TAIL = 128 * 1024
MOST_LINKS = 1000
_LONGEST_LINK = 4096
_LONGEST_HOST = 253
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&()*+,;=%]"
_URL_RUN = re.compile(rf"{_URL_CHARS}{{0,{_LONGEST_LINK}}}+")
# `://` (or `msteams:/`) and the rest of the link; the scheme before it is checked in Python.
_AFTER_SCHEME = re.compile(rf":/{_URL_CHARS}{{0,{_LONGEST_LINK}}}+")
_SCHEMES = ("https", "http", "zoommtg", "zoomus")  # then `://`; `msteams:` takes one slash
_SCHEME_BOUNDARY = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")
# The end of a well-known meeting host written without a scheme: `.us/`, `.com?`, …
_TOP_LABELS = sorted({domain.rsplit(".", 1)[-1] for domain in platforms.WELL_KNOWN_DOMAINS})
_HOST_END = re.compile(rf"\.(?:{'|'.join(_TOP_LABELS)})(?=[/?])")
_HOST_START = re.compile(rf"[a-z0-9.\-]{{0,{_LONGEST_HOST}}}+")  # run over the host, reversed
_HOST_BOUNDARY = frozenset("/@%_:")
# Characters that break a link's text without being seen: `<wbr>`, soft hyphens, zero widths.
_WBR = re.compile(r"<[wW][bB][rR]\s*/?>")
_HIDDEN_ENTITY = re.compile(r"&(?:shy|#173|#x[aA][dD]|#8203|#x200[bB]|ZeroWidthSpace);")
_HIDDEN_CHARACTER = re.compile(r"[\u00ad\u200b\u2060\ufeff]")
# An iCalendar fold (RFC 5545 §3.1): a line break and one blank after a line of at most 75 octets.
_FOLD = re.compile(r"\n[ \t](?=\S)")  # starts with a literal: a leading `\r?` is 10x slower
_FOLDED_LINE_OCTETS = range(60, 77)
_SCHEME_START = re.compile(r"(?:\A|[^A-Za-z0-9])(?:h|ht|htt|https?|https?:/?)\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Field:
    """A field's scanned text and its lower-cased twin (same offsets, for case-blind search)."""

    text: str
    lower: str

    def links(self) -> Iterator[tuple[str, int, int]]:
        """Each URL-shaped run with a scheme or on a well-known host, with the offsets where it
        starts and just after it, in text order; at most 1,000 of each kind."""
        with_scheme = list(islice(self._with_scheme(), MOST_LINKS))
        starts = [start for _, start, _ in with_scheme]
        ends = [end for _, _, end in with_scheme]
        without = list(islice(self._without_scheme(starts, ends), MOST_LINKS))
        found = sorted(with_scheme + without, key=lambda link: link[1]) if without else with_scheme
        yield from found

    def _with_scheme(self) -> Iterator[tuple[str, int, int]]:
        for run in _AFTER_SCHEME.finditer(self.text):
            start = self._scheme_start(run.start())
            if start is not None:
                yield self.text[start : run.end()], start, run.end()

    def _scheme_start(self, colon: int) -> int | None:
        """Where the scheme ending at `colon` starts, if it is one we can join through."""
        schemes = _SCHEMES if self.text.startswith("://", colon) else ("msteams",)
        for scheme in schemes:
            start = colon - len(scheme)
            if start >= 0 and self.lower.startswith(scheme, start):
                return start if self._starts_word(start, _SCHEME_BOUNDARY) else None
        return None

    def _starts_word(self, start: int, joined: frozenset[str]) -> bool:
        """Nothing in `joined` right before `start`, or an iCalendar `\\n` escape."""
        before = self.lower[max(0, start - 2) : start]
        return before[-1:] not in joined or before == "\\n"

    def _without_scheme(self, starts: list[int], ends: list[int]) -> Iterator[tuple[str, int, int]]:
        """Well-known hosts outside the links with a scheme (`starts`, `ends`: theirs, sorted)."""
        for host_end in _HOST_END.finditer(self.lower):
            dot = host_end.start()
            inside = bisect.bisect_right(starts, dot) - 1
            if inside >= 0 and dot < ends[inside]:
                continue
            start = self._host_start(dot)
            host = self.lower[start : host_end.end()]
            if self._starts_word(start, _HOST_BOUNDARY) and platforms.is_well_known(host):
                run = _URL_RUN.match(self.text, start)
                end = run.end() if run else start
                yield self.text[start:end], start, end

    def _host_start(self, dot: int) -> int:
        """Where the host whose top label starts at `dot` begins (after a `\\n` escape)."""
        before = self.lower[max(0, dot - _LONGEST_HOST) : dot][::-1]
        run = _HOST_START.match(before)
        start = dot - (run.end() if run else 0)
        if start > 0 and self.lower.startswith("\\n", start - 1):
            start += 1
        while start < dot and self.lower[start] in ".-":
            start += 1
        return start


def prepared(text: str) -> Field:
    """The part of `text` that is scanned, without invisible breaks and with folds undone."""
    if len(text) > HEAD + TAIL:
        text = f"{text[:HEAD]}\n{text[-TAIL:]}"
    text = unfolded(_visible(text))
    lower = text.lower()
    if len(lower) != len(text):  # a few characters lower-case to two; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return Field(text, lower)


def _visible(text: str) -> str:
    if _WBR.search(text):
        text = _WBR.sub("", text)
    if _HIDDEN_ENTITY.search(text):
        text = _HIDDEN_ENTITY.sub("", text)
    if not text.isascii():
        text = _HIDDEN_CHARACTER.sub("", text)
    return text


def unfolded(text: str) -> str:
    """`text` with the iCalendar folds that split a URL joined again; other line breaks stay."""
    if _FOLD.search(text) is None:
        return text
    parts: list[str] = []
    end = 0
    joined_break = -1
    for fold in _FOLD.finditer(text):
        cut = fold.start() - 1 if text[fold.start() - 1 : fold.start()] == "\r" else fold.start()
        line_break = text.rfind("\n", 0, cut)
        line = text[line_break + 1 : cut]
        if _splits_url(line, continued=joined_break >= 0 and line_break == joined_break):
            parts.append(text[end:cut])
            end = fold.end()
            joined_break = fold.start()
    parts.append(text[end:])
    return "".join(parts)


def _splits_url(line: str, continued: bool) -> bool:
    """A fold, not a line break someone typed: the line before it has a folded line's length
    and ends inside a URL (or is itself the continuation of one)."""
    if len(line.encode("utf-8")) not in _FOLDED_LINE_OCTETS or line[-1:].isspace():
        return False
    words = line.split()
    if continued:
        return len(words) == 1
    tail = words[-1] if words else ""
    return "://" in tail or _SCHEME_START.search(tail) is not None
