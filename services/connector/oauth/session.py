"""Authorized requests for one operation (a sync, a listing): bearer auth, one refresh and
retry on 401, the account's request budget, and the provider-neutral failure classes.

401 twice (a fresh token refused too) → `GrantRevoked`; 429, and a 503 that says when to come
back (`Retry-After`, as Graph throttles, providers.md §2.6) → `ProviderThrottled` with that
wait; other 5xx → `ProviderUnavailable`. Every other answer goes back to the
provider module, which knows its error bodies (Google's 403 rate-limit reasons, 410, 404).
A spent budget waits up to `max_wait` seconds, else the operation ends as throttled. A
`concurrency` semaphore (shared by the account's operations) bounds its requests in flight
(Graph: 4 per mailbox).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from services.connector.domain.budget import RequestBudget
from services.connector.oauth.grants import AccessTokens
from services.connector.providers import json_http
from services.connector.providers.base import (
    GrantRevoked,
    ProviderThrottled,
    ProviderUnavailable,
)
from services.connector.providers.guarded_http import HttpLimits

MAX_BUDGET_WAIT_SECONDS = 5.0


@dataclass
class OAuthSession:
    """One operation's authorized HTTP; `budget_key` names the account (its grant)."""

    client: httpx.AsyncClient
    tokens: AccessTokens
    budget: RequestBudget
    budget_key: str
    limits: HttpLimits
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    max_wait: float = MAX_BUDGET_WAIT_SECONDS
    concurrency: asyncio.Semaphore | None = None
    _token: str | None = field(default=None, repr=False)

    async def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> json_http.Answer:
        """GET `url` as the account; raises the failure classes above."""
        return await self.request("GET", url, params, headers)

    async def post_json(self, url: str, body: Mapping[str, object]) -> json_http.Answer:
        """POST a JSON body as the account; raises the failure classes above."""
        return await self.request("POST", url, json_body=body)

    async def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Mapping[str, object] | None = None,
    ) -> json_http.Answer:
        token = self._token or await self.tokens.access_token(self.client)
        send = (method, url, params, headers, json_body)
        answer = await self._send(*send, token)
        if answer.status == 401:
            token = await self.tokens.access_token(self.client, refused=token)
            answer = await self._send(*send, token)
            if answer.status == 401:
                raise GrantRevoked("the API refused a freshly refreshed access token")
        self._token = token
        retry_after = json_http.retry_after(answer.headers)
        if answer.status == 429 or (answer.status == 503 and retry_after is not None):
            raise ProviderThrottled(f"HTTP {answer.status}", retry_after)
        if answer.status >= 500:
            raise ProviderUnavailable(f"HTTP {answer.status}")
        return answer

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        extra_headers: Mapping[str, str] | None,
        json_body: Mapping[str, object] | None,
        token: str,
    ) -> json_http.Answer:
        wait = self.budget.reserve(self.budget_key, self.monotonic())
        if wait > self.max_wait:
            raise ProviderThrottled("the account's request budget is spent", retry_after=wait)
        if wait > 0:
            await self.sleep(wait)
        headers = {
            **(extra_headers or {}),
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
        }
        request = self.client.build_request(
            method, url, params=params, headers=headers, json=json_body
        )
        async with self._slot():
            return await json_http.send(self.client, request, self.limits)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self.concurrency is None:
            yield
            return
        async with self.concurrency:
            yield
