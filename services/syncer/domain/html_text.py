"""HTML → plain text as a reader sees it (Graph bodies, Google descriptions, Outlook's
X-ALT-DESC): tags dropped, entities decoded, `<br>` and blocks as line breaks, paragraphs and
headings set off by a blank line, list items as `- ` or `1. ` lines, a link's target after its
text as `<url>` unless the text already shows it, table cells apart, `<pre>` as written, and
the contents of `head`, `script`, `style` and `title` left out.

Hostile or broken markup never fails: marked sections (`<![CDATA[…]]>`, Outlook's `<![if …]>`
and `<![endif]-->`, even malformed ones like `<![ if`) are dropped without the parser's name
checks, and should the parser still raise, the text is the input with its tags stripped.

Whitespace collapses as HTML's does; with `keep_newlines` a line break in the source is a
line break too, for text fields that merely may hold HTML (Google shows both, and so do
iCalendar readers).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main",
        "nav", "ol", "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
_HIDDEN = frozenset({"head", "script", "style", "title", "template"})
_SHOWN_SCHEMES = ("http://", "https://", "mailto:", "tel:")
# HTML's whitespace is ASCII only: `&nbsp;` stays (as a space, at the end).
_SPACES = re.compile(r"[ \t\r\f]+")
_ALL_SPACES = re.compile(r"[ \t\n\r\f]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Bounds against hostile markup: nested lists indent at most this deep, a link's text is
# compared with its target only up to this length, and a target longer than that is not shown.
_MAX_INDENT = 8
_LINK_TEXT_LIMIT = 4096
# A marked section's end: `]>` (CDATA's `]]>` too) or a downlevel-hidden `]-->`.
_MARKED_SECTION_END = re.compile(r"\]\s*(?:--)?>")
# For the fallback: anything from `<` to the next `>` (or the end) that starts like markup.
_ANY_TAG = re.compile(r"<[a-zA-Z/!?][^>]*(?:>|$)")


def looks_like_html(value: str) -> bool:
    """Whether a text field holds markup (a tag), not just a `<` or an `<address>`."""
    return _TAG.search(value) is not None


def html_to_text(value: str, *, keep_newlines: bool = False) -> str:
    """The text of `value`; never raises (any parser error: the input with tags stripped)."""
    renderer = _Renderer(keep_newlines)
    try:
        renderer.feed(value)
        renderer.close()
        return renderer.text()
    except Exception:  # hostile markup must not fail its event, let alone its page
        return _stripped(value, keep_newlines=keep_newlines)


def _stripped(value: str, *, keep_newlines: bool) -> str:
    """The fallback: tags dropped, entities decoded, whitespace collapsed as rendering would."""
    plain = html.unescape(_ANY_TAG.sub(" ", value)).replace("\r\n", "\n")
    if keep_newlines:
        lines = (_SPACES.sub(" ", line).strip() for line in plain.split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _ALL_SPACES.sub(" ", plain).replace("\xa0", " ").strip()


class _Renderer(HTMLParser):
    """Writes text pieces as the parser meets tags and text; `text()` joins them."""

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._keep_newlines = keep_newlines
        self._out: list[str] = []
        self._hidden = 0
        self._pre = 0
        self._lists: list[int | None] = []  # per open list: None (bullets) or the next number
        self._links: list[tuple[str | None, int, int]] = []  # href, text's first piece, length
        self._length = 0  # characters written
        self._marker_pending = False  # a list item's marker, nothing after it yet

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """Skip `<![…]>` (and `<![…]-->`) whatever it holds: the base class asserts a name
        after `<![` and raises `AssertionError` on `<![ CDATA[`, `<![]>` and the like. -1 while
        the end is not in sight (at `close()` the section is then written out as text)."""
        match = _MARKED_SECTION_END.search(self.rawdata, i + 3)
        return -1 if match is None else match.end()

    def text(self) -> str:
        lines = "".join(self._out).replace("\xa0", " ").split("\n")
        joined = "\n".join(line.rstrip() for line in lines)
        return _BLANK_LINES.sub("\n\n", joined).strip("\n").strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self._write("\n")
        elif tag in _PARAGRAPHS:
            self._blank_line()
        elif tag == "pre":
            self._blank_line()
            self._pre += 1
        elif tag in ("ul", "ol"):
            self._line_break()
            self._lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            self._list_item()
        elif tag in _BLOCKS:
            self._line_break()
        elif tag in _CELLS:
            self._cell()
        elif tag == "a":
            self._links.append((dict(attrs).get("href"), len(self._out), self._length))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _PARAGRAPHS:
            self._blank_line()
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            self._blank_line()
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._line_break()
        elif tag in _BLOCKS:
            self._line_break()
        elif tag == "a" and self._links:
            self._end_link(*self._links.pop())

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not self._pre:
            data = self._collapsed(data)
            if self._at_line_start() or self._marker_pending:
                data = data.lstrip(" ")
        self._write(data)

    def _write(self, piece: str) -> None:
        if piece:
            self._out.append(piece)
            self._length += len(piece)
            self._marker_pending = False

    def _collapsed(self, data: str) -> str:
        if not self._keep_newlines:
            return _ALL_SPACES.sub(" ", data)
        return "\n".join(_SPACES.sub(" ", line) for line in data.replace("\r\n", "\n").split("\n"))

    def _list_item(self) -> None:
        self._line_break()
        depth = max(len(self._lists), 1)
        number = self._lists[-1] if self._lists else None
        if number is None:
            marker = "- "
        else:
            marker = f"{number}. "
            self._lists[-1] = number + 1
        self._write("  " * min(depth - 1, _MAX_INDENT) + marker)
        self._marker_pending = True

    def _cell(self) -> None:
        if not self._at_line_start() and not self._marker_pending:
            self._write(" ")

    def _end_link(self, href: str | None, start: int, length: int) -> None:
        """The link's target after its text, unless the text shows it (or it is no web, mail
        or phone address)."""
        target = (href or "").strip()
        if len(target) > _LINK_TEXT_LIMIT or not target.lower().startswith(_SHOWN_SCHEMES):
            return
        if self._length - length > _LINK_TEXT_LIMIT:  # so long a text is no address
            self._write(f" <{target}>")
            return
        shown = "".join(self._out[start:]).strip()
        if not _shows(shown, target):
            self._write(f" <{target}>" if shown else f"<{target}>")

    def _line_break(self) -> None:
        if not self._at_line_start() and not self._marker_pending:
            self._write("\n")

    def _blank_line(self) -> None:
        if self._marker_pending:
            return
        self._line_break()
        if self._out and not "".join(self._out[-2:]).endswith("\n\n"):
            self._write("\n")

    def _at_line_start(self) -> bool:
        return not self._out or self._out[-1].endswith("\n")


def _shows(text: str, target: str) -> bool:
    """Whether a link's text already is its target: the same address (with or without its
    scheme), or a URL of its own (Google's redirector hides the shown URL in its target)."""
    bare_text, bare_target = _bare(text), _bare(target)
    if not bare_text:
        return False
    if bare_text == bare_target or "://" in text or text.lower().startswith("www."):
        return True
    return bare_target.startswith(bare_text) and len(bare_text) > 3 and "." in bare_text


def _bare(address: str) -> str:
    lowered = address.strip().lower()
    for scheme in _SHOWN_SCHEMES:
        if lowered.startswith(scheme):
            lowered = lowered[len(scheme) :]
            break
    return lowered.rstrip("/")
