"""Sandbox fixtures: the app with a settable clock and a small fake Google backend, so these tests
exercise the shared machinery (OAuth, admin, faults) without the real Google emulation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Header
from fastapi.responses import JSONResponse

from sandbox.app import Provider, create_app
from sandbox.google import oauth_routes as google_oauth
from sandbox.google.errors import auth_error
from sandbox.google.fault_shapes import google_fault
from sandbox.oauth.store import OAuthStore
from sandbox.settings import SandboxSettings
from sandbox.world import Account, FaultAnswer, ProviderBackend, SeedRequest, World

CALENDAR_LIST = "/google/calendar/v3/users/me/calendarList"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeBackend:
    """Records what the admin API delegates to a provider backend."""

    name: str = "google"
    created: list[Account] = field(default_factory=list)
    seeded: list[tuple[Account, SeedRequest]] = field(default_factory=list)
    expired_for: list[str | None] = field(default_factory=list)
    resets: int = 0

    def on_account_created(self, account: Account) -> None:
        self.created.append(account)

    def seed(self, account: Account, request: SeedRequest) -> dict[str, Any]:
        self.seeded.append((account, request))
        return {"calendars": request.calendars}

    def expire_sync_tokens(self, account_id: str | None) -> int:
        self.expired_for.append(account_id)
        return 2

    def reset(self) -> None:
        self.resets += 1

    def fault_answer(self, status: int, reason: str | None, path: str) -> FaultAnswer:
        return google_fault(status, reason, path)


def fake_google(backend: FakeBackend) -> Provider:
    """Google's OAuth endpoints and one bearer-protected calendarList route, answering like
    Google (401 authError)."""

    def provide(world: World) -> tuple[ProviderBackend, APIRouter]:
        router = APIRouter()
        router.include_router(google_oauth.oauth_router(world.oauth))

        @router.get(CALENDAR_LIST)
        async def calendar_list(authorization: str = Header(default="")) -> JSONResponse:
            token = authorization.removeprefix("Bearer ")
            account = world.identity.account_for_access_token("google", token)
            if account is None:
                return JSONResponse(auth_error().body(), 401)
            return JSONResponse({"items": [{"id": account.email, "primary": True}]})

        return backend, router

    return provide


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def app(clock: FakeClock, backend: FakeBackend) -> FastAPI:
    return create_app(SandboxSettings(), providers=[fake_google(backend)], clock=clock)


@pytest.fixture
def world(app: FastAPI) -> World:
    found: World = app.state.world
    return found


@pytest.fixture
def store(app: FastAPI) -> OAuthStore:
    found: OAuthStore = app.state.oauth
    return found


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as found:
        yield found


async def create_account(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await client.post("/_admin/accounts", json={"provider": "google", "email": email})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def refresh(
    client: httpx.AsyncClient, account: dict[str, Any], refresh_token: str | None = None
) -> httpx.Response:
    return await client.post(
        "/google/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": account["client_id"],
            "client_secret": account["client_secret"],
            "refresh_token": refresh_token or account["refresh_token"],
        },
    )


async def calendar_list(client: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await client.get(CALENDAR_LIST, headers={"Authorization": f"Bearer {access_token}"})
