"""Defensive reads of iCalendar properties: one value where the RFC allows one, text, parameters,
extension (X-) text, and Outlook's HTML description."""

from __future__ import annotations

import re
from typing import Any

from icalendar import Component

# The parser leaves X- property values escaped (RFC 5545 §3.3.11 TEXT escapes).
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")


def single(component: Component, name: str) -> Any:
    """The property's value, or its first value when a producer repeated a single-valued one."""
    value = component.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def every(component: Component, name: str) -> list[Any]:
    """All values of a property that may repeat (ATTENDEE), as a list."""
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def text(component: Component, name: str) -> str | None:
    value = single(component, name)
    return None if value is None else str(value)


def param(prop: Any, name: str) -> str | None:
    params = getattr(prop, "params", None)
    value = params.get(name) if params is not None else None
    return None if value is None else str(value)


def extension_text(component: Component, name: str) -> str | None:
    """An X- property's text, its TEXT escapes undone."""
    value = text(component, name)
    return None if value is None else _unescaped(value)


def html_description(vevent: Component) -> str | None:
    """Outlook's HTML description (`X-ALT-DESC`), when it says it is HTML (or says nothing)."""
    alternative = single(vevent, "X-ALT-DESC")
    kind = (param(alternative, "FMTTYPE") or "text/html").lower()
    if alternative is None or kind != "text/html":
        return None
    return _unescaped(str(alternative))


def _unescaped(value: str) -> str:
    return _TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
