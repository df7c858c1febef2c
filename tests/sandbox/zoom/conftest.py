"""Zoom emulation fixtures: the whole sandbox app with the Zoom provider on a settable clock, admin
helpers, and a real webhook endpoint on a loopback port that answers Zoom's URL validation
challenge with its own HMAC code (independent of the sandbox's) and records every event."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from sandbox.zoom import ZoomBackend, ZoomOptions, zoom_provider
from tests.sandbox.conftest import FakeClock
from tests.sandbox.http_endpoints import Answer, Request, poll_until, serving

API = "/zoom/v2"
SECRET = "whsec-test-secret"


@pytest.fixture
def options() -> ZoomOptions:
    return ZoomOptions(validation_timeout_seconds=0.5)


@pytest.fixture
def app(clock: FakeClock, options: ZoomOptions) -> FastAPI:
    provider = functools.partial(zoom_provider, clock=clock, options=options)
    return create_app(SandboxSettings(), providers=[provider], clock=clock)


@pytest.fixture
def backend(app: FastAPI) -> ZoomBackend:
    found = app.state.world.backends["zoom"]
    assert isinstance(found, ZoomBackend)
    return found


@pytest.fixture
async def client(app: FastAPI, backend: ZoomBackend) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as found:
        yield found
    await backend.aclose()  # ASGITransport runs no lifespan


async def create_account(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await client.post("/_admin/accounts", json={"provider": "zoom", "email": email})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def bearer(client: httpx.AsyncClient, account: dict[str, Any]) -> dict[str, str]:
    response = await client.post(f"/_admin/accounts/{account['account_id']}/token")
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def user(client: httpx.AsyncClient, email: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A new account and the Authorization header of an access token for it."""
    account = await create_account(client, email)
    return account, await bearer(client, account)


async def create_meeting(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(f"{API}/users/me/meetings", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# --- a webhook endpoint -----------------------------------------------------------------------


Mode = Literal["answer", "wrong", "status500", "hang"]


@dataclass
class WebhookEndpoint:
    """Answers `endpoint.url_validation` as a correct app would (unless `mode` says otherwise)
    and 200 to anything else; keeps challenges and events apart."""

    secret: str = SECRET
    mode: Mode = "answer"
    challenges: list[Request] = field(default_factory=list)
    events: list[Request] = field(default_factory=list)
    url: str = ""

    async def wait_for(self, count: int, within: float = 5.0) -> list[Request]:
        await poll_until(lambda: len(self.events) >= count, within)
        return self.events

    async def handle(self, request: Request) -> Answer:
        body = request.json()
        if body.get("event") != "endpoint.url_validation":
            self.events.append(request)
            return Answer()
        if self.mode == "hang":
            await asyncio.sleep(10)
        self.challenges.append(request)
        plain = body["payload"]["plainToken"]
        digest = hmac.new(self.secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
        if self.mode == "wrong":
            digest = "0" * 64
        if self.mode == "status500":
            return Answer(500, b"{}")
        return Answer(200, json.dumps({"plainToken": plain, "encryptedToken": digest}).encode())


async def _endpoint() -> AsyncIterator[WebhookEndpoint]:
    found = WebhookEndpoint()
    async with serving(found.handle, "/zoom/events") as url:
        found.url = url
        yield found


@pytest.fixture
async def endpoint() -> AsyncIterator[WebhookEndpoint]:
    async for found in _endpoint():
        yield found


@pytest.fixture
async def other_endpoint() -> AsyncIterator[WebhookEndpoint]:
    async for found in _endpoint():
        yield found


async def configure(
    client: httpx.AsyncClient, client_id: str, url: str, secret: str = SECRET
) -> httpx.Response:
    return await client.put(
        f"/_admin/apps/{client_id}/webhook", json={"url": url, "secret_token": secret}
    )
