"""Where a provider's token endpoint is and how it behaves: found through OpenID discovery
(Google publishes `/.well-known/openid-configuration` on its accounts host, and its token
endpoint lives on another host; the same document names its authorization endpoint, for hosted
OAuth), or fixed (Microsoft's and Zoom's documented paths).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from services.connector.providers import json_http
from services.connector.providers.base import ProviderError, ProviderUnavailable
from services.connector.providers.guarded_http import HttpLimits

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TokenEndpoint:
    """`url` takes RFC 6749 §6 refresh requests; `basic_auth`: the client authenticates with
    HTTP Basic (§2.3.1) instead of body parameters; `rotates`: every answer carries a new
    refresh token that replaces the old one (Microsoft, Zoom), which must be stored before the
    new access token is used; `extra`: more form parameters (Microsoft's `scope`);
    `dead_grant_reasons`: error `reason`s that also mean a dead refresh token, whatever the
    `error` code says (Zoom answers `{"reason":"Invalid Token!","error":"invalid_request"}`)."""

    url: str
    basic_auth: bool = False
    rotates: bool = False
    extra: tuple[tuple[str, str], ...] = ()
    dead_grant_reasons: tuple[str, ...] = ()


class OAuthServer(Protocol):
    """A provider's authorization server, as far as refreshing tokens goes."""

    @property
    def rotates(self) -> bool: ...

    async def token_endpoint(self, client: httpx.AsyncClient) -> TokenEndpoint: ...


@dataclass(frozen=True)
class FixedServer:
    """A token endpoint at a documented URL."""

    endpoint: TokenEndpoint

    @property
    def rotates(self) -> bool:
        return self.endpoint.rotates

    async def token_endpoint(self, client: httpx.AsyncClient) -> TokenEndpoint:
        return self.endpoint


class DiscoveredServer:
    """A token endpoint (and, for hosted OAuth, the authorization endpoint) named by the
    issuer's OpenID Provider metadata (OpenID Connect Discovery 1.0 §4), fetched once and kept
    for a day in this process."""

    def __init__(
        self,
        issuer_url: str,
        limits: HttpLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = issuer_url.rstrip("/") + DISCOVERY_PATH
        self._limits = limits
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cached: tuple[_Metadata, float] | None = None

    @property
    def rotates(self) -> bool:
        return False

    async def token_endpoint(self, client: httpx.AsyncClient) -> TokenEndpoint:
        return (await self._metadata(client)).token

    async def authorization_endpoint(self, client: httpx.AsyncClient) -> str:
        """Where users consent (RFC 6749 §3.1); raises `ProviderError` when the document names
        none."""
        found = (await self._metadata(client)).authorization_url
        if found is None:
            raise ProviderError("discovery names no authorization endpoint")
        return found

    async def _metadata(self, client: httpx.AsyncClient) -> _Metadata:
        async with self._lock:
            if self._cached is None or self._clock() >= self._cached[1]:
                metadata = await self._discover(client)
                self._cached = (metadata, self._clock() + DISCOVERY_TTL_SECONDS)
            return self._cached[0]

    async def _discover(self, client: httpx.AsyncClient) -> _Metadata:
        answer = await json_http.send(client, client.build_request("GET", self._url), self._limits)
        if answer.status >= 500 or answer.status == 429:
            raise ProviderUnavailable(f"discovery answered HTTP {answer.status}")
        if answer.status != 200:
            raise ProviderError(f"discovery answered HTTP {answer.status}")
        document = answer.json()
        if not isinstance(document, dict) or not _is_http_url(document.get("token_endpoint")):
            raise ProviderError("discovery names no token endpoint")
        authorization = document.get("authorization_endpoint")
        return _Metadata(
            TokenEndpoint(document["token_endpoint"]),
            authorization if _is_http_url(authorization) else None,
        )


@dataclass(frozen=True)
class _Metadata:
    token: TokenEndpoint
    authorization_url: str | None


def _is_http_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))
