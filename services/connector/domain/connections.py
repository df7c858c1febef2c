"""A calendar connection as the connector keeps it, and the state event that announces it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from services.connector.domain import push
from services.connector.domain.push import OpenChannel
from shared.contracts.calendars import CalendarStateChanged, ConnectionFailure, ConnectionState
from shared.contracts.connections import Provider, SyncWindow


@dataclass(frozen=True)
class Connection:
    """One row of `connections`: which calendar, whose grant, where syncing stands."""

    calendar_id: str
    project_id: str
    provider: Provider
    grant_id: str
    requested_platform_uuid: str | None
    calendar_url: str | None
    name: str | None
    account_email: str | None
    account_addresses: tuple[str, ...]
    time_zone: str | None
    state: ConnectionState
    failure: ConnectionFailure | None
    sync_cursor: str | None
    sync_window: SyncWindow
    state_version: int
    sync_failures: int
    last_attempted_sync_at: datetime | None
    last_successful_sync_at: datetime | None
    window_day: date | None = None  # the UTC day the events were last listed for
    channel: OpenChannel | None = None  # the push channel open at the provider


@dataclass(frozen=True)
class CalendarFound:
    """What discovery settled on: the calendar to sync and the account it belongs to."""

    url: str
    name: str | None
    time_zone: str | None
    account_addresses: tuple[str, ...]
    mailbox: str | None = None  # the account's provider id, when discovery just learned it


def calendar_matches(requested: str, calendar_url: str) -> bool:
    """A requested platform uuid names a calendar by its full URL or by its URL path."""
    wanted = requested.strip().rstrip("/")
    return wanted in (calendar_url.rstrip("/"), urlsplit(calendar_url).path.rstrip("/"))


def needs_discovery(connection: Connection) -> bool:
    """Discover again unless connected to a known calendar that is still the one asked for."""
    if connection.calendar_url is None or connection.state != "connected":
        return True
    requested = connection.requested_platform_uuid
    return requested is not None and not calendar_matches(requested, connection.calendar_url)


def account_email(addresses: tuple[str, ...], username: str | None) -> str | None:
    """The account's address: its first calendar-user address, else a username that is one."""
    if addresses:
        return addresses[0]
    if username and "@" in username:
        return username.strip().lower()
    return None


def state_changed(connection: Connection) -> CalendarStateChanged:
    """The full current state of the connection, as announced on `calendars.state`."""
    return CalendarStateChanged(
        calendar_id=connection.calendar_id,
        version=connection.state_version,
        provider=connection.provider,
        state=connection.state,
        platform_uuid=connection.calendar_url,
        name=connection.name,
        account_email=connection.account_email,
        time_zone=connection.time_zone,
        connection_failure_data=connection.failure,
        last_attempted_sync_at=connection.last_attempted_sync_at,
        last_successful_sync_at=connection.last_successful_sync_at,
        sync_window=connection.sync_window,
        push=push.announced(connection.provider, connection.channel),
    )
