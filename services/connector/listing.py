"""Listing an account's calendars for `POST /v1/calendars/raw`: straight from the provider,
bounded in time (the client is waiting). Nothing is stored, except for providers whose refresh
tokens rotate on use (Microsoft, Zoom): their credentials are listed through the account's grant
(`Registrar.hold_grant`), so the refresh token they rotate to is kept for the registration that
usually follows rather than burnt; a grant so created for credentials that turn out dead is
dropped at once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.connector.connecting import Registrar, checked_credentials
from services.connector.domain.discovery import AccountCalendars, default_calendar
from services.connector.providers.base import (
    CalendarProvider,
    InvalidCredentials,
    RotatesRefreshTokens,
)
from services.connector.ssrf import UrlGuard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedCalendar:
    platform_uuid: str
    name: str | None
    email: str | None
    is_primary: bool
    time_zone: str | None


@dataclass(frozen=True)
class CalendarLister:
    guard: UrlGuard
    providers: Mapping[str, CalendarProvider[Any]]
    registrar: Registrar

    async def list_calendars(
        self, project_id: str, provider_name: str, raw: Mapping[str, Any]
    ) -> list[ListedCalendar]:
        """The account's event calendars; `is_primary` marks the one connected by default.

        Raises what `checked_credentials` raises, and `ProviderError`s.
        """
        provider, credentials = await checked_credentials(
            self.providers, self.guard, provider_name, raw
        )
        if isinstance(provider, RotatesRefreshTokens) and provider.rotates_refresh_tokens():
            return await self._list_held(project_id, provider_name, raw)
        account = await provider.list_calendars(credentials)
        log.info("calendars listed", extra={"provider": provider_name})
        return listed(account)

    async def _list_held(
        self, project_id: str, provider_name: str, raw: Mapping[str, Any]
    ) -> list[ListedCalendar]:
        """List through a grant held for the account; one this call created is dropped again
        when the credentials turn out dead (a transient failure keeps it: the refresh may have
        rotated the token already)."""
        held = await self.registrar.hold_grant(project_id, provider_name, raw)
        try:
            account = await held.provider.list_calendars(held.credentials)
        except InvalidCredentials:
            await self.registrar.release_grant(held)
            raise
        log.info("calendars listed", extra={"provider": provider_name})
        return listed(account)


def listed(account: AccountCalendars) -> list[ListedCalendar]:
    primary = default_calendar(account.calendars)
    return [
        ListedCalendar(
            platform_uuid=entry.url,
            name=entry.name,
            email=account.account_email,
            is_primary=entry == primary,
            time_zone=entry.time_zone,
        )
        for entry in account.calendars
        if entry.holds_events
    ]
