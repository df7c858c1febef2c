"""Event text for the canonical model, alike for every provider: short fields trimmed (blank is
None), descriptions as plain text (HTML converted by `html_text`, line ends as `\\n`), and the
size caps.

The caps (description 64 KB, raw payload 256 KB, in UTF-8 bytes) keep every message far below
the broker's 1 MB limit; a capped value is cut on a character boundary and flagged.
"""

from __future__ import annotations

from typing import Literal

from services.syncer.domain.html_text import html_to_text, looks_like_html

DESCRIPTION_LIMIT = 64 * 1024
RAW_LIMIT = 256 * 1024
# HTML past this many characters is cut, not rendered (and the description flagged truncated):
# it bounds the parser's time and memory on hostile markup (targets.md M8: 100 ms of CPU per
# item). 80 KB of bare tags render in about 45 ms (1 MB took 0.6 s; 128 KB, 70 ms, which left a
# 10 MB Google event over 100 ms with its JSON); a full description's text (64 KB) still fits
# with 16 KB of markup around it.
HTML_LIMIT = DESCRIPTION_LIMIT + 16 * 1024

Markup = Literal["text", "html", "text_or_html"]


def short(value: object) -> str | None:
    """A one-line field (title, location): without surrounding blanks; None when blank."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def description(value: object, markup: Markup = "text_or_html") -> tuple[str | None, bool]:
    """The description as capped plain text, and whether it was truncated. `markup`: `text`
    (kept as written), `html` (a document: Graph's HTML bodies), or `text_or_html` (a text
    field that may hold HTML, converted when it does, its line breaks kept: iCalendar
    DESCRIPTION, Google's description, Zoom's agenda)."""
    if not isinstance(value, str):
        return None, False
    cut = False
    # Only the part that would be rendered is searched for markup (a 10 MB scan costs 50 ms).
    if markup == "html" or (markup == "text_or_html" and looks_like_html(value[:HTML_LIMIT])):
        cut = len(value) > HTML_LIMIT
        value = html_to_text(value[:HTML_LIMIT], keep_newlines=markup != "html")
    plain = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not plain:
        return None, cut
    capped, truncated = cap_utf8(plain, DESCRIPTION_LIMIT)
    return capped, truncated or cut


def cap_utf8(value: str, limit: int) -> tuple[str, bool]:
    """`value` cut to at most `limit` UTF-8 bytes (never inside a character), and whether it was."""
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value, False
    return encoded[:limit].decode("utf-8", errors="ignore"), True
