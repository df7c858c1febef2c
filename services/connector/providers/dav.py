"""The CalDAV protocol work shared by the `caldav` and `apple` providers: RFC 6764/4791
discovery, calendar listing, RFC 6578 sync-collection, run with the blocking `caldav` client
on the server's own threads over guarded HTTP (`guarded_http.py`).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
from services.connector.providers import dav_objects
from services.connector.providers.base import (
    CalendarNotFound,
    FetchedChanges,
    InvalidCredentials,
    InvalidSyncCursor,
    ProviderError,
    ProviderThrottled,
    ProviderUnavailable,
    ServerUnreachable,
    UrlNotAllowed,
)
from services.connector.providers.guarded_http import (
    Deadline,
    HttpLimits,
    ResponseTooLarge,
    guard_session,
)

T = TypeVar("T")

_VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"  # noqa: S105 - an XML element name
_WRITE_PRIVILEGES = frozenset({"write", "write-content", "all"})
_CALENDAR_PROPS = [
    dav.DisplayName(),
    cdav.SupportedCalendarComponentSet(),
    dav.CurrentUserPrivilegeSet(),
    cdav.CalendarTimeZone(),
]
# Whole operations, in request times, on top of each request's own deadline: a listing the
# client waits for answers within one request time; discovery spans several requests. A sync
# gets SYNC_REQUESTS for its listing (sync-collection pages, or caldav's fallback), then one
# more per calendar-multiget batch and per object a server left out of one (`dav_objects.py`),
# MAX_SYNC_REQUESTS in all: with 10 s requests, 100 s for the listing and 500 s at most.
LISTING_REQUESTS = 1
DISCOVERY_REQUESTS = 6
SYNC_REQUESTS = 10
MAX_SYNC_REQUESTS = 50
# Provider work runs on each server's own threads, not the loop's default executor (which
# `getaddrinfo` needs): one per sync worker plus a few, so API listings are not starved.
LISTING_THREADS = 4


@dataclass(frozen=True)
class DavAccount:
    """Where and as whom to log in (the password stays a `SecretStr` until the client)."""

    url: str
    username: str
    password: SecretStr


class DavServer:
    """CalDAV operations for one kind of server; `host_aliases` are hosts that serve the same
    resources as the calendar's host (iCloud's entry host beside its partition hosts)."""

    def __init__(
        self, limits: HttpLimits, threads: int, host_aliases: tuple[str, ...] = ()
    ) -> None:
        self._limits = limits
        self._host_aliases = host_aliases
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None  # started on first use

    def close(self) -> None:
        """Let the threads go (work in flight ends at its deadline); a later use starts anew."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="dav")
        return self._executor

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
        """Run blocking client work (given its `Deadline` first) on this server's threads,
        bounded as a whole. When the bound passes or the caller gives up, the work's request in
        flight is cut off and it makes no further one, so its thread is free again at once."""
        seconds = self._limits.request_seconds
        deadline = Deadline(requests * seconds, MAX_SYNC_REQUESTS * seconds)
        context = contextvars.copy_context()  # log fields (correlation id), as `to_thread` does
        run = functools.partial(context.run, work, deadline, *args)
        done = asyncio.get_running_loop().run_in_executor(self._pool(), run)
        try:
            return await _within(done, deadline)
        finally:
            if not done.done():
                deadline.cancel()
                done.add_done_callback(_ignore_outcome)

    def _list(self, deadline: Deadline, account: DavAccount) -> AccountCalendars:
        failure: ProviderError | None = None
        for url in entry_urls(account.url):
            with self._client(url, account, deadline) as client, _translated(login=True):
                try:
                    principal = client.principal()
                except (error.NotFoundError, error.PropfindError) as exc:
                    failure = failure or provider_error(exc, login=True)
                    continue  # not a DAV entry point: try the RFC 6764 well-known URI
                entries = tuple(_entry(calendar) for calendar in principal.calendars())
                addresses = _mailto_addresses(principal)
                email = account_email(addresses, account.username)
                return AccountCalendars(entries, addresses, email)
        raise failure or CalendarNotFound("no CalDAV service found")

    def _fetch_changes(
        self, deadline: Deadline, account: DavAccount, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        # The calendar's own URL is the client's base: caldav refuses hrefs on another host
        # than its base (and its aliases), and calendars may live on another host (iCloud).
        with self._client(calendar_url, account, deadline) as client, _translated():
            calendar = client.calendar(url=calendar_url)
            # A full listing may fall back to a plain listing on servers without
            # sync-collection; an incremental one must fail loudly on an expired token.
            # Hrefs and ETags only: caldav would load each object with its own GET.
            result = calendar.get_objects_by_sync_token(
                sync_token=cursor, load_objects=False, disable_fallback=cursor is not None
            )
            loader = dav_objects.ObjectLoader(calendar, deadline, self._limits.request_seconds)
            return dav_objects.changes_of(result, calendar_url, loader, full=cursor is None)

    @contextmanager
    def _client(self, url: str, account: DavAccount, deadline: Deadline) -> Iterator[Any]:
        """A guarded `DAVClient` (typed `Any`: caldav's own annotations are partial)."""
        with _translated():
            ssrf.check_url_blocking(url, allow_loopback=self._limits.allow_loopback)
            client = DAVClient(
                url=url,
                username=account.username,
                password=account.password.get_secret_value(),
                timeout=max(1, round(self._limits.request_seconds)),
                enable_rfc6764=False,  # its DNS and well-known lookups bypass our guard
                rate_limit_handle=False,  # a 429 ends the sync as throttled, no sleeping thread
            )
        for alias in self._host_aliases:
            client.url = client.url.with_host_alias(alias)
        with client:
            guard_session(client.session, self._limits, deadline)
            yield client


async def _within(done: asyncio.Future[T], deadline: Deadline) -> T:
    """`done`'s result, or `ProviderUnavailable` once the deadline (which the work may extend)
    has passed."""
    while not done.done() and (remaining := deadline.remaining()) > 0:
        await asyncio.wait({done}, timeout=remaining)
    if done.done():
        return done.result()
    raise ProviderUnavailable("no answer in time")


def _ignore_outcome(abandoned: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned work's outcome (its failure is the cut-off it was given)."""
    if not abandoned.cancelled():
        abandoned.exception()


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


@contextmanager
def _translated(*, login: bool = False) -> Iterator[None]:
    """Raise client-library failures as provider errors (fixed texts, no provider output);
    `login`: the requests log in and list the account (discovery)."""
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
        raise provider_error(exc, login=login) from None
    except ValueError:  # caldav refusing a URL it cannot join with its base
        raise ProviderError("unusable URL") from None


def provider_error(exc: Exception, *, login: bool = False) -> ProviderError:
    """The provider error a caldav, HTTP or SSRF-guard exception stands for; `login`: it
    came from logging in and listing the account (discovery)."""
    if isinstance(exc, ssrf.UnresolvableHost):
        return ServerUnreachable("host name does not resolve")
    if isinstance(exc, ssrf.UnsafeUrl):
        return UrlNotAllowed(str(exc))
    if isinstance(exc, ResponseTooLarge):
        return ProviderError("response too large")
    if isinstance(exc, error.DAVError):
        return _dav_error(exc, login)
    if isinstance(exc, TimeoutError | http.exceptions.Timeout):
        return ProviderUnavailable(type(exc).__name__)
    if isinstance(exc, ConnectionError | http.exceptions.ConnectionError):
        return ServerUnreachable(type(exc).__name__)
    return ProviderUnavailable(type(exc).__name__)


def _dav_error(exc: error.DAVError, login: bool) -> ProviderError:
    status = getattr(exc, "status", None)
    if _VALID_SYNC_TOKEN in (getattr(exc, "preconditions", None) or []):
        return InvalidSyncCursor("sync token no longer valid")
    if isinstance(exc, error.RateLimitError):  # 429, or 503 with a Retry-After (RFC 9110 §10.2.3)
        return ProviderThrottled(f"HTTP {status}", retry_after=exc.retry_after_seconds)
    if status == 401 or (status is None and isinstance(exc, error.AuthorizationError)):
        return InvalidCredentials(f"HTTP {status}")
    if status == 403:
        # RFC 9110 §15.5.4: the credentials were understood. Refused at login (the principal
        # or its calendars), the account cannot be read with them; on the calendar later, it
        # is a permission (or a server's overload guard) that a retry may outlive.
        return InvalidCredentials("HTTP 403") if login else ProviderError("HTTP 403")
    if status == 404 or isinstance(exc, error.NotFoundError):
        return CalendarNotFound("HTTP 404")
    if status is not None and status >= 500:
        return ProviderUnavailable(f"HTTP {status}")
    return ProviderError(f"{type(exc).__name__} HTTP {status}")
