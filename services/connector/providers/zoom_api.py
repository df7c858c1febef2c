"""Zoom REST API v2 calls the connector makes (providers.md §4): `/users/me`, the user's
upcoming meetings page by page (`next_page_token`), and one meeting by id, with Zoom's error
bodies translated into provider errors.

What the session leaves to us: 400 code 4711 (the token lacks a meeting scope) lacks
permission; 404 code 3001 on a meeting means it is gone (None); any other 4xx is a request
Zoom refused. Every meeting leaves this module without `start_url` (the host's start link,
which carries a ZAK that starts the meeting as the host): see `public_meeting`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from services.connector.oauth.session import OAuthSession
from services.connector.providers import json_http
from services.connector.providers.base import InsufficientPermissions, ProviderError

PAGE_SIZE = 300  # Zoom's maximum
MAX_PAGES = 1000
LISTING_TYPE = "upcoming"  # scheduled meetings not yet ended (in progress included)
_SCOPE_MISSING = 4711
# Fields that must never leave the provider module: the host's start link (with its ZAK).
SECRET_FIELDS = frozenset({"start_url"})


class ZoomApi:
    """Zoom requests of one operation, as the user, on `{ZOOM_API_BASE_URL}/v2`."""

    def __init__(self, session: OAuthSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/") + "/v2"

    async def me(self) -> dict[str, Any]:
        return _body(await self._session.get(f"{self._base}/users/me"))

    async def upcoming_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page of the user's upcoming scheduled meetings (list items, no passcode)."""
        token = ""
        for _ in range(MAX_PAGES):
            params = {"type": LISTING_TYPE, "page_size": str(PAGE_SIZE)}
            if token:
                params["next_page_token"] = token
            page = _body(await self._session.get(f"{self._base}/users/me/meetings", params))
            rows = page.get("meetings") or []
            yield (
                [public_meeting(r) for r in rows if isinstance(r, dict)]
                if isinstance(rows, list)
                else []
            )
            following = page.get("next_page_token")
            token = following if isinstance(following, str) else ""
            if not token:
                return
        raise ProviderError("the listing has too many pages")

    async def meeting(self, meeting_id: str) -> dict[str, Any] | None:
        """One meeting in full (passcode, host email, occurrences), None when it is gone."""
        answer = await self._session.get(f"{self._base}/meetings/{quote(meeting_id, safe='')}")
        if answer.status == 404:
            return None
        return public_meeting(_body(answer))


def public_meeting(meeting: dict[str, Any]) -> dict[str, Any]:
    """The meeting without its secret fields, at any depth."""
    return {k: _public(v) for k, v in meeting.items() if k not in SECRET_FIELDS}


def _public(value: Any) -> Any:
    if isinstance(value, dict):
        return public_meeting(value)
    if isinstance(value, list):
        return [_public(item) for item in value]
    return value


def _body(answer: json_http.Answer) -> dict[str, Any]:
    if answer.status != 200:
        raise _error(answer)
    body = answer.json()
    if not isinstance(body, dict):
        raise ProviderError("the provider answered with an unexpected page")
    return body


def _error(answer: json_http.Answer) -> ProviderError:
    code = answer.error_object().get("code")
    if answer.status == 403 or (answer.status == 400 and code == _SCOPE_MISSING):
        return InsufficientPermissions(f"HTTP {answer.status}")
    return ProviderError(f"HTTP {answer.status}")
