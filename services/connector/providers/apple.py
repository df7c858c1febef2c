"""Apple iCloud (`provider: apple`): CalDAV at `APPLE_CALDAV_URL` with an Apple ID and an
app-specific password (providers.md §3.5).

Discovery starts at the entry host (`https://caldav.icloud.com`); the calendar-home-set points
at the account's partition host (`pNN-caldav.icloud.com`), which the caldav client switches to,
keeping the entry host as an alias because iCloud still returns some hrefs on it. The
collection itself listed among its sync-collection members is skipped (`dav.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars
from services.connector.providers.base import FetchedChanges, GrantRef, Window, parse_shape
from services.connector.providers.dav import DavAccount, DavServer
from services.connector.providers.guarded_http import HttpLimits

DEFAULT_URL = "https://caldav.icloud.com"


class AppleCredentials(BaseModel):
    """`{apple_id, app_specific_password}` as submitted (`api.md` → Calendars)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    apple_id: str = Field(min_length=3, max_length=320)
    app_specific_password: SecretStr = Field(min_length=1, max_length=256)


class AppleProvider:
    """`CalendarProvider[AppleCredentials]`; `url` is the entry point (a setting, not input)."""

    def __init__(self, limits: HttpLimits, threads: int, url: str = DEFAULT_URL) -> None:
        self._url = url
        entry_host = urlsplit(url).hostname
        self._server = DavServer(limits, threads, (entry_host,) if entry_host else ())

    @property
    def threads(self) -> int:
        return self._server.threads

    def close(self) -> None:
        self._server.close()

    def parse_credentials(
        self, raw: Mapping[str, Any], grant: GrantRef | None = None
    ) -> AppleCredentials:
        return parse_shape(AppleCredentials, raw)

    def server_urls(self, credentials: AppleCredentials) -> tuple[str, ...]:
        return ()  # the operator's APPLE_CALDAV_URL; every request is still guarded

    def username(self, credentials: AppleCredentials) -> str | None:
        return credentials.apple_id

    def account_key(self, credentials: AppleCredentials) -> str:
        return credentials.apple_id.strip().lower()

    def same_grant(self, stored: Mapping[str, Any], submitted: Mapping[str, Any]) -> bool:
        return dict(stored) == dict(submitted)

    async def list_calendars(self, credentials: AppleCredentials) -> AccountCalendars:
        return await self._server.list_calendars(self._account(credentials))

    async def discover(
        self, credentials: AppleCredentials, platform_uuid: str | None
    ) -> CalendarFound:
        return await self._server.discover(self._account(credentials), platform_uuid)

    async def fetch_changes(
        self,
        credentials: AppleCredentials,
        calendar_url: str,
        cursor: str | None,
        window: Window | None = None,
    ) -> FetchedChanges:
        return await self._server.fetch_changes(self._account(credentials), calendar_url, cursor)

    def _account(self, credentials: AppleCredentials) -> DavAccount:
        return DavAccount(
            self._url, credentials.apple_id.strip(), credentials.app_specific_password
        )
