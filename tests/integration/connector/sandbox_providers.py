"""The provider sandbox served in-process (httpx's ASGI transport): OAuth endpoints, the
Google Calendar API, Microsoft Graph and Zoom's REST API the connector's real provider code
talks to, plus its admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from services.connector.oauth.grants import GrantTokenCache
from services.connector.providers.google import GoogleEndpoints, GoogleProvider
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.microsoft import MicrosoftEndpoints, MicrosoftProvider
from services.connector.providers.zoom import ZoomEndpoints, ZoomProvider

BASE = "http://sandbox"
GOOGLE = GoogleEndpoints(f"{BASE}/google", f"{BASE}/google")
MICROSOFT = MicrosoftEndpoints(f"{BASE}/microsoft", f"{BASE}/microsoft/login")
ZOOM = ZoomEndpoints(f"{BASE}/zoom", f"{BASE}/zoom")
GRAPH = "/microsoft/v1.0"
LIMITS = HttpLimits(allow_loopback=True, request_seconds=5, max_response_bytes=1 << 24)


@dataclass
class SandboxAccount:
    id: str
    email: str
    credentials: dict[str, str]


@dataclass
class InProcessSandbox:
    transport: httpx.ASGITransport
    admin: httpx.AsyncClient

    async def account(self, email: str, provider: str = "google") -> SandboxAccount:
        created = (
            await self.admin.post("/_admin/accounts", json={"provider": provider, "email": email})
        ).json()
        fields = ("client_id", "client_secret", "refresh_token")
        return SandboxAccount(created["account_id"], email, {k: created[k] for k in fields})

    async def user_token(self, account: SandboxAccount) -> str:
        token: str = (await self.admin.post(f"/_admin/accounts/{account.id}/token")).json()[
            "access_token"
        ]
        return token

    async def insert_event(
        self, account: SandboxAccount, body: dict[str, Any], calendar: str = "primary"
    ) -> dict[str, Any]:
        response = await self.admin.post(
            f"/google/calendar/v3/calendars/{calendar}/events",
            params={"conferenceDataVersion": "1"},
            json=body,
            headers={"Authorization": f"Bearer {await self.user_token(account)}"},
        )
        assert response.status_code == 200, response.text
        event: dict[str, Any] = response.json()
        return event

    async def graph(
        self, account: SandboxAccount, method: str, path: str, body: Any = None
    ) -> dict[str, Any]:
        """A Graph call as the user's own calendar app (`path` under `/v1.0`)."""
        return await self._as_user(account, method, f"{GRAPH}{path}", body)

    async def zoom_api(
        self, account: SandboxAccount, method: str, path: str, body: Any = None
    ) -> dict[str, Any]:
        """A Zoom API call as the user's own Zoom app (`path` under `/v2`)."""
        return await self._as_user(account, method, f"/zoom/v2{path}", body)

    async def _as_user(
        self, account: SandboxAccount, method: str, url: str, body: Any
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {await self.user_token(account)}"}
        response = await self.admin.request(method, url, json=body, headers=headers)
        assert response.status_code < 300, response.text
        found: dict[str, Any] = response.json() if response.content else {}
        return found

    async def fault(self, provider: str = "google", **rule: Any) -> None:
        response = await self.admin.post("/_admin/faults", json={"provider": provider, **rule})
        assert response.status_code == 201, response.text

    async def requests(self, path_part: str) -> list[dict[str, Any]]:
        logged = (await self.admin.get("/_admin/requests")).json()["results"]
        return [r for r in logged if path_part in r["path"]]

    def google(self, tokens: GrantTokenCache, **options: Any) -> GoogleProvider:
        return GoogleProvider(LIMITS, GOOGLE, tokens, transport=self.transport, **options)

    def microsoft(self, tokens: GrantTokenCache, **options: Any) -> MicrosoftProvider:
        return MicrosoftProvider(LIMITS, MICROSOFT, tokens, transport=self.transport, **options)

    def zoom(self, tokens: GrantTokenCache, **options: Any) -> ZoomProvider:
        return ZoomProvider(LIMITS, ZOOM, tokens, transport=self.transport, **options)


@asynccontextmanager
async def in_process_sandbox() -> AsyncIterator[InProcessSandbox]:
    transport = httpx.ASGITransport(app=create_app(SandboxSettings()))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as admin:
        yield InProcessSandbox(transport, admin)
