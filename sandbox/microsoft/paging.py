"""Offset paging of Graph collections (`/me/calendars`, `/me/events`, `calendarView`): `$top`
or `Prefer: odata.maxpagesize` sets the page size (10 by default, as Graph's event collections),
and every page but the last carries `@odata.nextLink` with `$skip` (delta rounds page with
opaque `$skiptoken`s instead, see `delta.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandbox.microsoft import errors

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
GRAPH = "https://graph.microsoft.com/v1.0/"


@dataclass(frozen=True)
class PageRequest:
    """Where the page starts and how long it is, and the URL to continue from (without
    `$skip`)."""

    skip: int
    size: int
    url: str
    query: tuple[tuple[str, str], ...]


def page_request(
    url: str, query: list[tuple[str, str]], top: int | None, skip: int | None, preferred: int | None
) -> PageRequest:
    if top is not None and not 1 <= top <= MAX_PAGE_SIZE:
        raise errors.bad_request(f"Invalid value for $top: {top}.")
    if skip is not None and skip < 0:
        raise errors.bad_request(f"Invalid value for $skip: {skip}.")
    size = top or min(preferred or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    kept = tuple((k, v) for k, v in query if k not in ("$skip", "$top"))
    return PageRequest(skip or 0, size, url, kept)


def page_of(rows: list[dict[str, Any]], page: PageRequest, context: str) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": GRAPH + context}
    end = page.skip + page.size
    if end < len(rows):
        query = [*page.query, ("$top", str(page.size)), ("$skip", str(end))]
        body["@odata.nextLink"] = f"{page.url}?{urlencode(query, safe='$:')}"
    body["value"] = rows[page.skip : end]
    return body
