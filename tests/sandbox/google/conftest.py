"""Google emulation fixtures: the Calendar API router on a bare FastAPI app, with a hand-written
identity (token → account), fault injector and clock, plus a tiny push receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.google import google_provider
from sandbox.google.backend import GoogleBackend
from sandbox.google.listing import ScanLimits
from sandbox.oauth.store import OAuthStore
from sandbox.settings import SandboxSettings
from sandbox.world import Account, World
from tests.sandbox.http_endpoints import Answer, Request, poll_until, serving

API = "/google/calendar/v3"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 7, 9, tzinfo=UTC)  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeIdentity:
    tokens: dict[str, Account] = field(default_factory=dict)

    def account_for_access_token(self, provider: str, token: str) -> Account | None:
        account = self.tokens.get(token)
        return account if account is not None and provider == account.provider else None

    def scopes_of_access_token(self, provider: str, token: str) -> frozenset[str]:
        if self.account_for_access_token(provider, token) is None:
            return frozenset()
        return frozenset({"https://www.googleapis.com/auth/calendar"})

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.tokens.values() if a.id == account_id), None)


@dataclass
class FakeFaults:
    drops: int = 0

    def take_push_drop(self, provider: str) -> bool:
        if self.drops > 0 and provider == "google":
            self.drops -= 1
            return True
        return False


@dataclass
class Sandbox:
    """The router under test, and the hand-written world around it."""

    client: httpx.AsyncClient
    backend: GoogleBackend
    identity: FakeIdentity
    faults: FakeFaults
    clock: FakeClock

    def account(self, email: str) -> tuple[Account, dict[str, str]]:
        """A new account with its primary calendar; returns it and its Authorization header."""
        account = Account(f"acct-{email}", "google", email, self.clock())
        token = f"token-{email}"
        self.identity.tokens[token] = account
        self.backend.on_account_created(account)
        return account, {"Authorization": f"Bearer {token}"}


def make_sandbox(
    settings: SandboxSettings | None = None, limits: ScanLimits | None = None
) -> tuple[FastAPI, FakeIdentity, FakeFaults, FakeClock, GoogleBackend]:
    identity, faults, clock = FakeIdentity(), FakeFaults(), FakeClock()
    settings = settings or SandboxSettings()
    oauth = OAuthStore(settings, clock)  # serves the token endpoints; the API uses `identity`
    world = World(settings=settings, identity=identity, faults=faults, oauth=oauth)
    backend, router = google_provider(world, clock=clock, limits=limits)
    assert isinstance(backend, GoogleBackend)
    app = FastAPI()
    app.include_router(router)
    return app, identity, faults, clock, backend


@pytest.fixture
def settings() -> SandboxSettings:
    return SandboxSettings(google_meet_on_insert=False)


@pytest.fixture
def limits() -> ScanLimits | None:
    return None


@pytest.fixture
async def sandbox(settings: SandboxSettings, limits: ScanLimits | None) -> AsyncIterator[Sandbox]:
    app, identity, faults, clock, backend = make_sandbox(settings, limits)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield Sandbox(client, backend, identity, faults, clock)
    await backend.aclose()


def events_url(calendar_id: str = "primary") -> str:
    return f"{API}/calendars/{calendar_id}/events"


def timed(start: str, end: str, zone: str | None = None, **fields: Any) -> dict[str, Any]:
    """An insert body with dateTime start/end (and the same timeZone on both)."""
    body: dict[str, Any] = {"start": {"dateTime": start}, "end": {"dateTime": end}, **fields}
    if zone:
        body["start"]["timeZone"] = zone
        body["end"]["timeZone"] = zone
    return body


async def insert(
    sandbox: Sandbox, headers: dict[str, str], body: dict[str, Any], **params: Any
) -> dict[str, Any]:
    response = await sandbox.client.post(events_url(), json=body, headers=headers, params=params)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def list_all(
    sandbox: Sandbox, headers: dict[str, str], calendar_id: str = "primary", **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of a listing: (all items, the raw pages)."""
    pages: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = await sandbox.client.get(events_url(calendar_id), params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        if "nextPageToken" not in page:
            return [item for p in pages for item in p["items"]], pages
        query["pageToken"] = page["nextPageToken"]


async def add_events(sandbox: Sandbox, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    """`count` one-off events (summaries e0, e1, ...) on days from 2030-01-08 on."""
    return [
        await insert(
            sandbox,
            headers,
            timed(
                f"2030-01-{8 + i % 20:02d}T10:00:00Z",
                f"2030-01-{8 + i % 20:02d}T11:00:00Z",
                summary=f"e{i}",
            ),
        )
        for i in range(count)
    ]


# --- a push receiver --------------------------------------------------------------------------


@dataclass
class PushReceiver:
    """Records every POST it gets and answers 200."""

    messages: list[Request] = field(default_factory=list)
    url: str = ""

    async def wait_for(self, count: int, within: float = 5.0) -> list[Request]:
        await poll_until(lambda: len(self.messages) >= count, within)
        return self.messages

    async def handle(self, request: Request) -> Answer:
        self.messages.append(request)
        return Answer()


@pytest.fixture
async def receiver() -> AsyncIterator[PushReceiver]:
    found = PushReceiver()
    async with serving(found.handle, "/notifications") as url:
        found.url = url
        yield found
