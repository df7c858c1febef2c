"""Microsoft emulation fixtures: the whole sandbox app (shared OAuth store, admin API, fault
middleware) with the Microsoft provider on a settable clock, accounts made through the admin API,
and a real webhook receiver on a loopback port that answers Graph's validation handshake."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app
from sandbox.microsoft import MicrosoftBackend, microsoft_provider
from sandbox.settings import SandboxSettings
from tests.sandbox.http_endpoints import Answer, Request, poll_until, serving

API = "/microsoft/v1.0"
TOKEN_URL = "/microsoft/login/common/oauth2/v2.0/token"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 7, 9, tzinfo=UTC)  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class User:
    account_id: str
    email: str
    client_id: str
    client_secret: str
    refresh_token: str
    headers: dict[str, str]


@dataclass
class Sandbox:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock

    @property
    def backend(self) -> MicrosoftBackend:
        found = self.app.state.world.backends["microsoft"]
        assert isinstance(found, MicrosoftBackend)
        return found

    async def user(self, email: str = "ada@example.com") -> User:
        """A new account with its default calendar, and an Authorization header for Graph."""
        created = await self.client.post(
            "/_admin/accounts", json={"provider": "microsoft", "email": email}
        )
        assert created.status_code == 201, created.text
        body = created.json()
        token = await self.client.post(f"/_admin/accounts/{body['account_id']}/token")
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return User(
            body["account_id"],
            email,
            body["client_id"],
            body["client_secret"],
            body["refresh_token"],
            headers,
        )

    async def deliveries_done(self) -> None:
        """Wait until every notification sent so far has been delivered or given up on, so a
        test can then assert that nothing else arrived."""
        await poll_until(self.backend.subscriptions.hub.idle)

    async def create_event(
        self, user: User, body: dict[str, Any], path: str = "/me/events"
    ) -> dict[str, Any]:
        response = await self.client.post(API + path, json=body, headers=user.headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def make_app(settings: SandboxSettings, clock: FakeClock) -> FastAPI:
    provider = functools.partial(microsoft_provider, clock=clock)
    return create_app(settings, providers=[provider], clock=clock)


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> SandboxSettings:
    """Default settings; a test changes them with `@pytest.mark.parametrize(..., indirect=True)`."""
    chosen: SandboxSettings = getattr(request, "param", SandboxSettings())
    return chosen


@pytest.fixture
async def sandbox(settings: SandboxSettings) -> AsyncIterator[Sandbox]:
    clock = FakeClock()
    app = make_app(settings, clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        found = Sandbox(app, client, clock)
        yield found
        await found.backend.aclose()


def timed(start: str, end: str, zone: str = "UTC", **fields: Any) -> dict[str, Any]:
    """A create body with the same `timeZone` on start and end."""
    return {
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        **fields,
    }


def weekly(start_date: str, days: list[str], count: int | None = None) -> dict[str, Any]:
    span: dict[str, Any] = {"type": "noEnd", "startDate": start_date}
    if count is not None:
        span = {"type": "numbered", "startDate": start_date, "numberOfOccurrences": count}
    return {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": days}, "range": span}


# --- a webhook receiver -----------------------------------------------------------------------


@dataclass
class Receiver:
    """Records every POST. It answers Graph's validation requests by echoing the decoded token
    (or `validation_answer` when set)."""

    messages: list[Request] = field(default_factory=list)
    url: str = ""
    validation_answer: str | None = None
    validation_status: int = 200
    notification_status: int = 202

    @property
    def notifications(self) -> list[Request]:
        return [m for m in self.messages if "validationToken" not in m.query]

    @property
    def validations(self) -> list[Request]:
        return [m for m in self.messages if "validationToken" in m.query]

    async def wait_for(self, count: int, within: float = 5.0) -> list[Request]:
        await poll_until(lambda: len(self.notifications) >= count, within)
        return self.notifications

    async def handle(self, request: Request) -> Answer:
        self.messages.append(request)
        if "validationToken" not in request.query:
            return Answer(self.notification_status)
        token = request.query["validationToken"][0]
        text = self.validation_answer if self.validation_answer is not None else token
        return Answer(self.validation_status, text.encode(), "text/plain")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    async with serving(found.handle, "/hooks/graph") as url:
        found.url = url
        yield found
