"""CalDAV (RFC 4791) with RFC 6578 sync-collection, through the sync `caldav` client in a thread.

Every request the client makes, redirects and server-given hrefs included, passes the SSRF
guard first, and the address actually connected to is checked again (DNS rebinding).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from caldav.davclient import DAVClient
from caldav.lib import error
from caldav.lib.http_sync import requests as http
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from services.connector import ssrf
from services.connector.domain.connections import CalendarFound, calendar_matches
from services.connector.providers.base import (
    CalendarNotFound,
    FetchedChanges,
    InvalidCredentials,
    InvalidCredentialsShape,
    InvalidSyncCursor,
    ProviderError,
    ProviderUnavailable,
    UrlNotAllowed,
)
from shared.contracts.provider import ProviderObject

_VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"  # noqa: S105 - an XML element name


class CaldavCredentials(BaseModel):
    """`{url, username, password}` as submitted (`api.md` → Calendars)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    url: str = Field(min_length=1)
    username: str = Field(min_length=1)
    password: SecretStr = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError("the URL must start with http:// or https://")
        return url


class CaldavProvider:
    """`CalendarProvider[CaldavCredentials]`: one `DAVClient` per operation, run in a thread.

    The client is typed `Any` here: caldav's own annotations are partial.
    """

    def __init__(self, *, timeout: float, allow_loopback: bool) -> None:
        self._timeout = timeout
        self._allow_loopback = allow_loopback

    def parse_credentials(self, raw: Mapping[str, Any]) -> CaldavCredentials:
        try:
            return CaldavCredentials.model_validate(raw)
        except ValidationError as exc:
            errors = exc.errors(include_input=False, include_url=False, include_context=False)
            raise InvalidCredentialsShape(
                [{"field": _field(e["loc"]), "message": str(e["msg"])} for e in errors]
            ) from None

    def server_urls(self, credentials: CaldavCredentials) -> tuple[str, ...]:
        return (credentials.url,)

    def username(self, credentials: CaldavCredentials) -> str | None:
        return credentials.username

    async def discover(
        self, credentials: CaldavCredentials, platform_uuid: str | None
    ) -> CalendarFound:
        return await asyncio.to_thread(self._discover, credentials, platform_uuid)

    async def fetch_changes(
        self, credentials: CaldavCredentials, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        return await asyncio.to_thread(self._fetch_changes, credentials, calendar_url, cursor)

    def _discover(self, credentials: CaldavCredentials, platform_uuid: str | None) -> CalendarFound:
        with self._client(credentials) as client, _translated():
            principal = client.principal()
            calendar = _choose(principal.calendars(), platform_uuid)
            return CalendarFound(
                url=str(calendar.url),
                name=calendar.get_display_name() or None,
                time_zone=None,
                account_addresses=_mailto_addresses(principal),
            )

    def _fetch_changes(
        self, credentials: CaldavCredentials, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        # The calendar's own URL is the client's base: caldav rewrites or refuses URLs on
        # another host than its base, and calendars may live on another host (iCloud).
        with self._client(credentials, calendar_url) as client, _translated():
            calendar = client.calendar(url=calendar_url)
            # A full listing may fall back to a plain listing on servers without
            # sync-collection; an incremental one must fail loudly on an expired token.
            result = calendar.get_objects_by_sync_token(
                sync_token=cursor, load_objects=True, disable_fallback=cursor is not None
            )
            return _changes_of(result, full=cursor is None)

    @contextmanager
    def _client(self, credentials: CaldavCredentials, url: str | None = None) -> Iterator[Any]:
        base = url or credentials.url
        with _translated():
            ssrf.check_url_blocking(base, allow_loopback=self._allow_loopback)
            client = DAVClient(
                url=base,
                username=credentials.username,
                password=credentials.password.get_secret_value(),
                timeout=max(1, round(self._timeout)),
                enable_rfc6764=False,
            )
        guard = _RequestGuard(self._allow_loopback)
        with client:
            client.session.hooks["pre_request"].append(guard.check_request)
            client.session.hooks["pre_send"].append(guard.check_destination)
            yield client


class _RequestGuard:
    """niquests hooks: every request's host (redirects included) is checked before it is
    sent, and the address actually connected to once connected (DNS rebinding)."""

    def __init__(self, allow_loopback: bool) -> None:
        self._allow_loopback = allow_loopback
        self._checked: set[str] = set()

    def check_request(self, request: Any, **_: Any) -> Any:
        parts = urlsplit(str(request.url))
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._checked:
            ssrf.check_url_blocking(str(request.url), allow_loopback=self._allow_loopback)
            self._checked.add(origin)
        return request

    def check_destination(self, request: Any, **_: Any) -> Any:
        info = getattr(request, "conn_info", None)
        destination = getattr(info, "destination_address", None)
        if destination:
            ssrf.check_address(str(destination[0]), allow_loopback=self._allow_loopback)
        return request


def _choose(calendars: list[Any], platform_uuid: str | None) -> Any:
    """The requested calendar, or the first one holding events."""
    for calendar in calendars:
        if platform_uuid is not None and not calendar_matches(platform_uuid, str(calendar.url)):
            continue
        if "VEVENT" in calendar.get_supported_components():
            return calendar
    raise CalendarNotFound("no matching event calendar")


def _mailto_addresses(principal: Any) -> tuple[str, ...]:
    """The principal's calendar-user addresses that are mail addresses (RFC 6638 §2.4.1)."""
    try:
        addresses = principal.calendar_user_address_set()
    except error.NotFoundError:
        return ()
    found = (str(a).strip() for a in addresses or ())
    return tuple(a[len("mailto:") :].lower() for a in found if a.lower().startswith("mailto:"))


def _changes_of(result: Any, *, full: bool) -> FetchedChanges:
    objects: list[ProviderObject] = []
    removed: list[str] = []
    deleted = result.deleted_urls
    for item in result:
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
    except (ssrf.UnsafeUrl, error.DAVError, http.exceptions.RequestException, OSError) as exc:
        raise provider_error(exc) from None
    except ValueError:  # caldav refusing a URL it cannot join with its base
        raise ProviderError("unusable URL") from None


def provider_error(exc: Exception) -> ProviderError:
    """The provider error a caldav, HTTP or SSRF-guard exception stands for."""
    if isinstance(exc, ssrf.UnresolvableHost):
        return ProviderUnavailable("host name does not resolve")
    if isinstance(exc, ssrf.UnsafeUrl):
        return UrlNotAllowed(str(exc))
    if isinstance(exc, error.DAVError):
        return _dav_error(exc)
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


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(["credentials", *(str(part) for part in loc)])
