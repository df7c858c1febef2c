"""Defensive reads of iCalendar properties: one value where the RFC allows one, text, parameters."""

from __future__ import annotations

from typing import Any

from icalendar import Component


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
