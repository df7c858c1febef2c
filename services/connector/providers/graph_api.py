"""Microsoft Graph v1.0 calls the connector makes (providers.md §2): `/me`, `/me/calendars`,
`calendarView/delta` and one event by id, page by page, and change-notification
subscriptions (create, renew, delete), with Graph's error envelope translated into provider
errors.

What the session leaves to us: 403 (`ErrorAccessDenied`: no `Calendars.*`/`User.*` scope)
lacks permission; 404 is a missing calendar; 410, or a 400 naming `syncStateNotFound` /
`resyncRequired`, an invalid delta token; any other 4xx a request Graph refused. Every link
Graph hands back is checked against the configured base before it is followed
(`domain/graph_links.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from services.connector.domain.graph_links import ForeignLink, absolute_link, relative_link
from services.connector.oauth.session import OAuthSession
from services.connector.providers import json_http
from services.connector.providers.base import (
    CalendarNotFound,
    InsufficientPermissions,
    InvalidSyncCursor,
    ProviderError,
)

# Events per delta page (Graph's default is 10; the sandbox and Graph allow far more).
DELTA_PAGE_SIZE = 200
# Times in UTC, whatever zone the event was written in (its own is `originalStartTimeZone`).
DELTA_PREFER = f'odata.maxpagesize={DELTA_PAGE_SIZE}, outlook.timezone="UTC"'
MAX_PAGES = 5000  # delta pages may be short or empty; a round beyond this is not synced
_RESYNC_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})


class Graph:
    """Graph requests of one operation, as the account, on the configured base URL."""

    def __init__(self, session: OAuthSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")

    async def me(self) -> dict[str, Any]:
        return _body(await self._session.get(f"{self._base}/v1.0/me"))

    async def calendars(self) -> list[dict[str, Any]]:
        """Every calendar of the mailbox (`@odata.nextLink` followed)."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{self._base}/v1.0/me/calendars"
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            page = _body(await self._session.get(url))
            found += [row for row in _rows(page) if isinstance(row.get("id"), str)]
            url = self._next(page)
        raise ProviderError("the listing has too many pages")

    async def event(self, event_id: str) -> dict[str, Any] | None:
        """One event by id (a series master), None when it no longer exists."""
        url = f"{self._base}/v1.0/me/events/{quote(event_id, safe='')}"
        answer = await self._session.get(url, headers={"Prefer": DELTA_PREFER})
        if answer.status == 404:
            return None
        return _body(answer)

    async def create_subscription(self, body: Mapping[str, object]) -> dict[str, Any]:
        """`POST /subscriptions` (§2.5): Graph runs the validation handshake with the
        notification URLs before it answers 201."""
        answer = await self._session.post_json(f"{self._base}/v1.0/subscriptions", body)
        return _body(answer, expected=201)

    async def renew_subscription(
        self, subscription_id: str, body: Mapping[str, object]
    ) -> dict[str, Any] | None:
        """`PATCH /subscriptions/{id}`: renewed (and re-authorized); None when Graph no longer
        knows the subscription."""
        url = self._subscription(subscription_id)
        answer = await self._session.request("PATCH", url, json_body=body)
        if answer.status == 404:
            return None
        return _body(answer)

    async def delete_subscription(self, subscription_id: str) -> None:
        """`DELETE /subscriptions/{id}`; one Graph no longer knows is deleted already."""
        answer = await self._session.request("DELETE", self._subscription(subscription_id))
        if answer.status not in (200, 204, 404):
            raise _error(answer)

    def _subscription(self, subscription_id: str) -> str:
        return f"{self._base}/v1.0/subscriptions/{quote(subscription_id, safe='')}"

    def initial_delta(self, calendar_id: str, start: str, end: str) -> str:
        """The first request of a round over the window [start, end)."""
        path = f"/v1.0/me/calendars/{quote(calendar_id, safe='')}/calendarView/delta"
        return f"{self._base}{path}?startDateTime={quote(start)}&endDateTime={quote(end)}"

    def resumed_delta(self, cursor: str) -> str:
        """The stored delta link on the configured base; a cursor that is not one of ours
        starts a new round (`InvalidSyncCursor`)."""
        try:
            return absolute_link(cursor, self._base)
        except ForeignLink:
            raise InvalidSyncCursor("the stored delta link is not a Graph link") from None

    async def delta_pages(self, url: str) -> AsyncIterator[tuple[list[dict[str, Any]], str | None]]:
        """Each page's rows, and on the last page the round's delta link (relative)."""
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            page = _body(await self._session.get(next_url, headers={"Prefer": DELTA_PREFER}))
            next_url = self._next(page)
            delta = page.get("@odata.deltaLink")
            if next_url is None and not isinstance(delta, str):
                raise ProviderError("a delta round ended without a delta link")
            yield _rows(page), self._relative(delta) if next_url is None else None
        raise ProviderError("the delta round has too many pages")

    def _next(self, page: Mapping[str, Any]) -> str | None:
        link = page.get("@odata.nextLink")
        if not isinstance(link, str) or not link:
            return None
        return self._base + self._relative(link)

    def _relative(self, link: Any) -> str:
        try:
            return relative_link(str(link), self._base)
        except ForeignLink:
            raise ProviderError("the provider sent a link to another host") from None


def _body(answer: json_http.Answer, expected: int = 200) -> dict[str, Any]:
    if answer.status != expected:
        raise _error(answer)
    body = answer.json()
    if not isinstance(body, dict):
        raise ProviderError("the provider answered with an unexpected page")
    return body


def _rows(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = page.get("value") or []
    return [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []


def _error(answer: json_http.Answer) -> ProviderError:
    code = _code(answer.error_object())
    if answer.status == 410 or (answer.status == 400 and code in _RESYNC_CODES):
        return InvalidSyncCursor("the delta token is no longer valid")
    if answer.status == 403:
        return InsufficientPermissions("HTTP 403")
    if answer.status == 404:
        return CalendarNotFound("HTTP 404")
    return ProviderError(f"HTTP {answer.status}")


def _code(body: Mapping[str, Any]) -> str | None:
    """`error.code` of Graph's envelope, lower-cased (Graph's casing varies)."""
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code.lower() if isinstance(code, str) else None
