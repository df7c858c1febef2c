"""Google Calendar API v3 calls the connector makes (providers.md §1): `calendarList.list` and
`events.list`, page by page, `events.watch` and `channels.stop`, with Google's error bodies
translated into provider errors.

What the session leaves to us: 403 with a rate-limit reason (`rateLimitExceeded`,
`userRateLimitExceeded`, `quotaExceeded`) is throttling like 429; other 403s lack permission;
404 is a missing calendar; 410 (`fullSyncRequired`, `updatedMinTooLongAgo`) an invalid sync
token; any other 4xx a request Google refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from services.connector.oauth.session import OAuthSession
from services.connector.providers import json_http
from services.connector.providers.base import (
    CalendarNotFound,
    InsufficientPermissions,
    InvalidSyncCursor,
    ProviderError,
    ProviderThrottled,
)

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
CALENDAR_LIST_PAGE = "250"  # the maximum (§1.2)
EVENTS_PAGE = "2500"  # the maximum (§1.3)
MAX_PAGES = 400  # 1,000,000 events: a calendar beyond that is not synced whole


async def calendar_list(session: OAuthSession, api_base: str) -> list[dict[str, Any]]:
    """Every calendarList entry of the account (hidden ones too, deleted ones not)."""
    url = f"{api_base}/calendar/v3/users/me/calendarList"
    params = {"maxResults": CALENDAR_LIST_PAGE, "showHidden": "true"}
    entries: list[dict[str, Any]] = []
    async for page in _pages(session, url, params):
        entries += [item for item in _items(page) if not item.get("deleted")]
    return entries


async def event_pages(
    session: OAuthSession, api_base: str, calendar_id: str, params: Mapping[str, str]
) -> AsyncIterator[dict[str, Any]]:
    """The pages of one `events.list` (every page repeats the same parameters, §1.4)."""
    url = f"{api_base}/calendar/v3/calendars/{quote(calendar_id, safe='')}/events"
    async for page in _pages(session, url, params):
        yield page


async def watch_events(
    session: OAuthSession, api_base: str, calendar_id: str, channel: Mapping[str, object]
) -> dict[str, Any]:
    """`events.watch` (§1.9): open a channel; its answer names the resource and expiry."""
    url = f"{api_base}/calendar/v3/calendars/{quote(calendar_id, safe='')}/events/watch"
    answer = await session.post_json(url, channel)
    if answer.status != 200:
        raise translate_error(answer)
    body = answer.json()
    if not isinstance(body, dict) or not isinstance(body.get("resourceId"), str):
        raise ProviderError("the provider answered with an unexpected channel")
    return body


async def stop_channel(
    session: OAuthSession, api_base: str, channel_id: str, resource_id: str
) -> None:
    """`channels.stop` (§1.9); a channel the provider no longer knows is stopped already."""
    url = f"{api_base}/calendar/v3/channels/stop"
    answer = await session.post_json(url, {"id": channel_id, "resourceId": resource_id})
    if answer.status in (200, 204, 404):
        return
    raise translate_error(answer)


def items(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _items(page)


async def _pages(
    session: OAuthSession, url: str, params: Mapping[str, str]
) -> AsyncIterator[dict[str, Any]]:
    token: str | None = None
    for _ in range(MAX_PAGES):
        answer = await session.get(url, {**params, "pageToken": token} if token else params)
        page = _page(answer)
        yield page
        token = page.get("nextPageToken") or None
        if token is None:
            return
    raise ProviderError("the listing has too many pages")


def _page(answer: json_http.Answer) -> dict[str, Any]:
    if answer.status != 200:
        raise translate_error(answer)
    body = answer.json()
    if not isinstance(body, dict):
        raise ProviderError("the provider answered with an unexpected page")
    return body


def _items(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = page.get("items") or []
    return [item for item in found if isinstance(item, dict) and isinstance(item.get("id"), str)]


def translate_error(answer: json_http.Answer) -> ProviderError:
    """The failure class of an error answer."""
    body = answer.error_object()
    reason = _reason(body)
    if answer.status == 403 and (reason in RATE_LIMIT_REASONS or _usage_limit(body)):
        return ProviderThrottled(f"HTTP 403 {reason}", json_http.retry_after(answer.headers))
    if answer.status == 403:
        return InsufficientPermissions("HTTP 403")
    if answer.status == 404:
        return CalendarNotFound("HTTP 404")
    if answer.status == 410:
        return InvalidSyncCursor("sync token no longer valid")
    return ProviderError(f"HTTP {answer.status}")


def _usage_limit(body: Mapping[str, Any]) -> bool:
    """Any quota refusal (`dailyLimitExceeded`, `limitExceeded`, …) is in the `usageLimits`
    domain (§1.10): throttling, never a reason to disconnect."""
    error = body.get("error")
    errors = error.get("errors") if isinstance(error, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    return isinstance(first, dict) and first.get("domain") == "usageLimits"


def _reason(body: Mapping[str, Any]) -> str | None:
    """`error.errors[0].reason` of Google's error envelope (§1.10)."""
    error = body.get("error")
    errors = error.get("errors") if isinstance(error, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    reason = first.get("reason") if isinstance(first, dict) else None
    return reason if isinstance(reason, str) else None
