"""The CalDAV protocol work shared by the `caldav` and `apple` providers: RFC 6764/4791
discovery, calendar listing, RFC 6578 sync-collection, run with the blocking `caldav` client
in a worker thread over guarded HTTP (`guarded_http.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from caldav.davclient import DAVClient
from caldav.elements import cdav, dav
from caldav.lib import error
from caldav.lib.http_sync import requests as http
from pydantic import SecretStr

from services.connector import ssrf
from services.connector.domain.connections import CalendarFound, account_email
from services.connector.domain.discovery import (
    AccountCalendars,
    CalendarEntry,
    choose_calendar,
    entry_urls,
    time_zone_of,
)
from services.connector.providers.base import (
    CalendarNotFound,
    FetchedChanges,
    InvalidCredentials,
    InvalidSyncCursor,
    ProviderError,
    ProviderUnavailable,
    ServerUnreachable,
    UrlNotAllowed,
)
from services.connector.providers.guarded_http import HttpLimits, ResponseTooLarge, guard_session
from shared.contracts.provider import ProviderObject

T = TypeVar("T")

_VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"  # noqa: S105 - an XML element name
_WRITE_PRIVILEGES = frozenset({"write", "write-content", "all"})
_CALENDAR_PROPS = [
    dav.DisplayName(),
    cdav.SupportedCalendarComponentSet(),
    dav.CurrentUserPrivilegeSet(),
    cdav.CalendarTimeZone(),
]
# Whole operations, on top of each request's own deadline: a listing the client waits for
# answers within one request time; discovery and syncs span many requests.
LISTING_REQUESTS = 1
DISCOVERY_REQUESTS = 6
SYNC_REQUESTS = 30


@dataclass(frozen=True)
class DavAccount:
    """Where and as whom to log in (the password stays a `SecretStr` until the client)."""

    url: str
    username: str
    password: SecretStr


class DavServer:
    """CalDAV operations for one kind of server; `host_aliases` are hosts that serve the same
    resources as the calendar's host (iCloud's entry host beside its partition hosts)."""

    def __init__(self, limits: HttpLimits, host_aliases: tuple[str, ...] = ()) -> None:
        self._limits = limits
        self._host_aliases = host_aliases

    async def list_calendars(self, account: DavAccount) -> AccountCalendars:
        return await self._in_thread(LISTING_REQUESTS, self._list, account)

    async def discover(self, account: DavAccount, platform_uuid: str | None) -> CalendarFound:
        listing = await self._in_thread(DISCOVERY_REQUESTS, self._list, account)
        chosen = choose_calendar(listing.calendars, platform_uuid)
        if chosen is None:
            raise CalendarNotFound("no matching event calendar")
        return CalendarFound(
            url=chosen.url,
            name=chosen.name,
            time_zone=chosen.time_zone,
            account_addresses=listing.account_addresses,
        )

    async def fetch_changes(
        self, account: DavAccount, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        return await self._in_thread(
            SYNC_REQUESTS, self._fetch_changes, account, calendar_url, cursor
        )

    async def _in_thread(self, requests: int, work: Callable[..., T], *args: Any) -> T:
        """Run blocking client work off the event loop, bounded as a whole."""
        seconds = requests * self._limits.request_seconds
        try:
            return await asyncio.wait_for(asyncio.to_thread(work, *args), seconds)
        except TimeoutError:
            # The thread stops at its next request or chunk (each has its own deadline).
            raise ProviderUnavailable("no answer in time") from None

    def _list(self, account: DavAccount) -> AccountCalendars:
        failure: ProviderError | None = None
        for url in entry_urls(account.url):
            with self._client(url, account) as client, _translated():
                try:
                    principal = client.principal()
                except (error.NotFoundError, error.PropfindError) as exc:
                    failure = failure or provider_error(exc)
                    continue  # not a DAV entry point: try the RFC 6764 well-known URI
                entries = tuple(_entry(calendar) for calendar in principal.calendars())
                addresses = _mailto_addresses(principal)
                email = account_email(addresses, account.username)
                return AccountCalendars(entries, addresses, email)
        raise failure or CalendarNotFound("no CalDAV service found")

    def _fetch_changes(
        self, account: DavAccount, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        # The calendar's own URL is the client's base: caldav refuses hrefs on another host
        # than its base (and its aliases), and calendars may live on another host (iCloud).
        with self._client(calendar_url, account) as client, _translated():
            calendar = client.calendar(url=calendar_url)
            # A full listing may fall back to a plain listing on servers without
            # sync-collection; an incremental one must fail loudly on an expired token.
            result = calendar.get_objects_by_sync_token(
                sync_token=cursor, load_objects=True, disable_fallback=cursor is not None
            )
            return _changes_of(result, calendar_url, full=cursor is None)

    @contextmanager
    def _client(self, url: str, account: DavAccount) -> Iterator[Any]:
        """A guarded `DAVClient` (typed `Any`: caldav's own annotations are partial)."""
        with _translated():
            ssrf.check_url_blocking(url, allow_loopback=self._limits.allow_loopback)
            client = DAVClient(
                url=url,
                username=account.username,
                password=account.password.get_secret_value(),
                timeout=max(1, round(self._limits.request_seconds)),
                enable_rfc6764=False,  # its DNS and well-known lookups bypass our guard
            )
        for alias in self._host_aliases:
            client.url = client.url.with_host_alias(alias)
        with client:
            guard_session(client.session, self._limits)
            yield client


def _entry(calendar: Any) -> CalendarEntry:
    props = calendar.get_properties(_CALENDAR_PROPS, parse_props=False)
    name = props.get(dav.DisplayName.tag)
    components = props.get(cdav.SupportedCalendarComponentSet.tag)
    privileges = props.get(dav.CurrentUserPrivilegeSet.tag)
    zone = props.get(cdav.CalendarTimeZone.tag)
    return CalendarEntry(
        url=str(calendar.url),
        name=(name.text or "").strip() or None if name is not None else None,
        time_zone=time_zone_of(zone.text if zone is not None else None),
        # RFC 4791 §5.2.3: without the property, every component type is accepted.
        holds_events=components is None
        or any(str(c.get("name", "")).upper() == "VEVENT" for c in components),
        writable=privileges is None or bool(_WRITE_PRIVILEGES & _local_names(privileges)),
    )


def _local_names(element: Any) -> set[str]:
    return {str(child.tag).rsplit("}", 1)[-1] for child in element.iter()}


def _mailto_addresses(principal: Any) -> tuple[str, ...]:
    """The principal's calendar-user addresses that are mail addresses (RFC 6638 §2.4.1)."""
    try:
        addresses = principal.calendar_user_address_set()
    except error.NotFoundError:
        return ()
    found = (str(a).strip() for a in addresses or ())
    return tuple(a[len("mailto:") :].lower() for a in found if a.lower().startswith("mailto:"))


def _changes_of(result: Any, calendar_url: str, *, full: bool) -> FetchedChanges:
    objects: list[ProviderObject] = []
    removed: list[str] = []
    deleted = result.deleted_urls
    own = calendar_url.rstrip("/")
    for item in result:
        if str(item.url).rstrip("/") == own:
            continue  # iCloud lists the collection itself as one of its members
        # Radicale lists tombstones even in an initial sync; they are reported as removed.
        # An object gone between listing and loading has no data: removed too.
        if item.url.canonical() in deleted or item.data is None:
            removed.append(str(item.url))
            continue
        objects.append(
            ProviderObject(
                provider_object_id=str(item.url), etag=item.etag, format="ical", data=item.data
            )
        )
    token = result.sync_token
    # caldav's emulated tokens ("fake-…") carry no change information: list fully every time.
    emulated = not token or str(token).startswith("fake-")
    return FetchedChanges(
        objects=tuple(objects),
        removed=tuple(removed),
        cursor=None if emulated else str(token),
        full=full or emulated,
    )


@contextmanager
def _translated() -> Iterator[None]:
    """Raise client-library failures as provider errors (fixed texts, no provider output)."""
    try:
        yield
    except ProviderError:
        raise
    except (
        ssrf.UnsafeUrl,
        error.DAVError,
        http.exceptions.RequestException,
        OSError,
        ResponseTooLarge,
    ) as exc:
        raise provider_error(exc) from None
    except ValueError:  # caldav refusing a URL it cannot join with its base
        raise ProviderError("unusable URL") from None


def provider_error(exc: Exception) -> ProviderError:
    """The provider error a caldav, HTTP or SSRF-guard exception stands for."""
    if isinstance(exc, ssrf.UnresolvableHost):
        return ServerUnreachable("host name does not resolve")
    if isinstance(exc, ssrf.UnsafeUrl):
        return UrlNotAllowed(str(exc))
    if isinstance(exc, ResponseTooLarge):
        return ProviderError("response too large")
    if isinstance(exc, error.DAVError):
        return _dav_error(exc)
    if isinstance(exc, TimeoutError | http.exceptions.Timeout):
        return ProviderUnavailable(type(exc).__name__)
    if isinstance(exc, ConnectionError | http.exceptions.ConnectionError):
        return ServerUnreachable(type(exc).__name__)
    return ProviderUnavailable(type(exc).__name__)


def _dav_error(exc: error.DAVError) -> ProviderError:
    status = getattr(exc, "status", None)
    if _VALID_SYNC_TOKEN in (getattr(exc, "preconditions", None) or []):
        return InvalidSyncCursor("sync token no longer valid")
    if status in (401, 403) or isinstance(exc, error.AuthorizationError):
        return InvalidCredentials(f"HTTP {status}")
    if status == 404 or isinstance(exc, error.NotFoundError):
        return CalendarNotFound("HTTP 404")
    if isinstance(exc, error.RateLimitError) or (status is not None and status >= 500):
        return ProviderUnavailable(f"HTTP {status}")
    return ProviderError(f"{type(exc).__name__} HTTP {status}")
