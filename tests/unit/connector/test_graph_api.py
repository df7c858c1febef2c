"""Graph calls over a scripted transport (httpx's own `MockTransport`): links to another host
are never followed, resync answers are invalid cursors, 503 with Retry-After is throttling, and
a stored cursor naming a host starts a new round."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.connector.domain.budget import RequestBudget
from services.connector.oauth.session import OAuthSession
from services.connector.providers.base import (
    InvalidSyncCursor,
    ProviderError,
    ProviderThrottled,
)
from services.connector.providers.graph_api import Graph
from services.connector.providers.guarded_http import HttpLimits

BASE = "https://graph.example"
LIMITS = HttpLimits(allow_loopback=True, request_seconds=5, max_response_bytes=1 << 20)


class FixedToken:
    """`AccessTokens` that always has the same token."""

    async def access_token(self, client: httpx.AsyncClient, refused: str | None = None) -> str:
        return "token"


def _graph(answer: Callable[[httpx.Request], httpx.Response], seen: list[str]) -> Graph:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return answer(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    session = OAuthSession(client, FixedToken(), RequestBudget(600), "grant", LIMITS)
    return Graph(session, BASE)


def _json(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


async def _drain(graph: Graph, url: str) -> list[tuple[list[dict[str, Any]], str | None]]:
    return [page async for page in graph.delta_pages(url)]


async def test_pages_are_followed_to_the_delta_link_which_is_kept_relative() -> None:
    pages = {
        "first": {"value": [{"id": "a"}], "@odata.nextLink": f"{BASE}/v1.0/me/d?$skiptoken=2"},
        "$skiptoken=2": {"value": [], "@odata.deltaLink": f"{BASE}/v1.0/me/d?$deltatoken=3"},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        key = "$skiptoken=2" if "skiptoken" in str(request.url) else "first"
        assert request.headers["Prefer"].startswith("odata.maxpagesize=")
        return _json(pages[key])

    seen: list[str] = []
    graph = _graph(answer, seen)
    found = await _drain(graph, graph.initial_delta("cal/1", "2030-01-01T00:00:00Z", "x"))
    assert found == [([{"id": "a"}], None), ([], "/v1.0/me/d?$deltatoken=3")]
    assert seen[0].startswith(f"{BASE}/v1.0/me/calendars/cal%2F1/calendarView/delta?")


async def test_a_link_to_another_host_is_never_followed() -> None:
    seen: list[str] = []
    evil = {"value": [], "@odata.nextLink": "https://evil.example/v1.0/me/d?$skiptoken=2"}
    graph = _graph(lambda request: _json(evil), seen)
    with pytest.raises(ProviderError, match="another host"):
        await _drain(graph, f"{BASE}/v1.0/me/d")
    assert seen == [f"{BASE}/v1.0/me/d"]


def test_a_stored_cursor_naming_a_host_starts_a_new_round() -> None:
    graph = _graph(lambda request: _json({}), [])
    with pytest.raises(InvalidSyncCursor):
        graph.resumed_delta("https://evil.example/v1.0/me/d?$deltatoken=1")
    assert graph.resumed_delta("/v1.0/me/d?$deltatoken=1") == f"{BASE}/v1.0/me/d?$deltatoken=1"


@pytest.mark.parametrize(
    "response",
    [
        _json({"error": {"code": "syncStateNotFound"}}, 410, Location=f"{BASE}/v1.0/me/d"),
        _json({"error": {"code": "SyncStateNotFound", "message": "…"}}, 400),
        _json({"error": {"code": "resyncRequired"}}, 400),
    ],
)
async def test_resync_answers_are_invalid_cursors(response: httpx.Response) -> None:
    graph = _graph(lambda request: response, [])
    with pytest.raises(InvalidSyncCursor):
        await _drain(graph, f"{BASE}/v1.0/me/d?$deltatoken=1")


async def test_a_503_with_retry_after_is_throttling() -> None:
    busy = _json({"error": {"code": "ServiceNotAvailable"}}, 503, **{"Retry-After": "7"})
    graph = _graph(lambda request: busy, [])
    with pytest.raises(ProviderThrottled) as raised:
        await graph.calendars()
    assert raised.value.retry_after == 7


async def test_a_missing_event_is_none() -> None:
    graph = _graph(lambda request: _json({"error": {"code": "ErrorItemNotFound"}}, 404), [])
    assert await graph.event("gone") is None
