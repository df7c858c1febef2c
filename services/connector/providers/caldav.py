"""Any CalDAV server (`provider: caldav`): the user gives the server URL, username and password.

The protocol work is shared with iCloud (`dav.py`); this module owns the credentials' shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars
from services.connector.providers.base import FetchedChanges, GrantRef, Window, parse_shape
from services.connector.providers.dav import DavAccount, DavServer
from services.connector.providers.guarded_http import HttpLimits


class CaldavCredentials(BaseModel):
    """`{url, username, password}` as submitted (`api.md` → Calendars)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    url: str = Field(min_length=1, max_length=2048)
    username: str = Field(min_length=1, max_length=512)
    password: SecretStr = Field(min_length=1, max_length=4096)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError("the URL must start with http:// or https://")
        return url


class CaldavProvider:
    """`CalendarProvider[CaldavCredentials]`."""

    def __init__(self, limits: HttpLimits, threads: int) -> None:
        self._server = DavServer(limits, threads)

    @property
    def threads(self) -> int:
        return self._server.threads

    def close(self) -> None:
        self._server.close()

    def parse_credentials(
        self, raw: Mapping[str, Any], grant: GrantRef | None = None
    ) -> CaldavCredentials:
        return parse_shape(CaldavCredentials, raw)

    def server_urls(self, credentials: CaldavCredentials) -> tuple[str, ...]:
        return (credentials.url,)

    def username(self, credentials: CaldavCredentials) -> str | None:
        return credentials.username

    def account_key(self, credentials: CaldavCredentials) -> str:
        return f"{credentials.url.strip().rstrip('/').lower()}|{credentials.username}"

    def same_grant(self, stored: Mapping[str, Any], submitted: Mapping[str, Any]) -> bool:
        return dict(stored) == dict(submitted)

    async def list_calendars(self, credentials: CaldavCredentials) -> AccountCalendars:
        return await self._server.list_calendars(_account(credentials))

    async def discover(
        self, credentials: CaldavCredentials, platform_uuid: str | None
    ) -> CalendarFound:
        return await self._server.discover(_account(credentials), platform_uuid)

    async def fetch_changes(
        self,
        credentials: CaldavCredentials,
        calendar_url: str,
        cursor: str | None,
        window: Window | None = None,
    ) -> FetchedChanges:
        return await self._server.fetch_changes(_account(credentials), calendar_url, cursor)


def _account(credentials: CaldavCredentials) -> DavAccount:
    return DavAccount(credentials.url, credentials.username, credentials.password)
