"""Event text for the canonical model: HTML descriptions as plain text, and the size caps.

The caps (description 64 KB, raw payload 256 KB, in UTF-8 bytes) keep every message far below
the broker's 1 MB limit; a capped value is cut on a character boundary and flagged.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DESCRIPTION_LIMIT = 64 * 1024
RAW_LIMIT = 256 * 1024

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset(
    {"p", "div", "ul", "ol", "li", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title"})
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    """Collects text nodes: `<br>` and block tags end lines, a paragraph ends with a blank line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._end_line()
            if tag == "p":
                self.parts.append("\n")

    def _end_line(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def looks_like_html(value: str) -> bool:
    return _TAG.search(value) is not None


def html_to_text(value: str) -> str:
    """Tags stripped, entities unescaped, line breaks kept for `<br>` and paragraphs."""
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    lines = "".join(extractor.parts).replace("\xa0", " ").split("\n")
    joined = "\n".join(line.rstrip() for line in lines)
    return _BLANK_LINES.sub("\n\n", joined).strip()


def cap_utf8(value: str, limit: int) -> tuple[str, bool]:
    """`value` cut to at most `limit` UTF-8 bytes (never inside a character), and whether it was."""
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value, False
    return encoded[:limit].decode("utf-8", errors="ignore"), True


def plain_description(value: str | None) -> tuple[str | None, bool]:
    """The description as capped plain text, and whether it was truncated."""
    if value is None:
        return None, False
    plain = html_to_text(value) if looks_like_html(value) else value
    return cap_utf8(plain, DESCRIPTION_LIMIT)
