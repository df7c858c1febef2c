"""The provider port the sync use case calls, what it returns, and the errors it raises.

Each provider module translates its client library's exceptions into these, so use cases
never see a driver exception. Error messages are fixed texts: never provider output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars
from services.connector.domain.failures import FailureKind
from services.connector.domain.push import OpenChannel
from shared.contracts.provider import ProviderObject

C = TypeVar("C")
C_in = TypeVar("C_in", contravariant=True)
M = TypeVar("M", bound=BaseModel)


class ProviderError(Exception):
    """Raised when the provider answered with an error not covered by a subclass."""

    kind: ClassVar[FailureKind] = FailureKind.PROVIDER_ERROR


class InvalidCredentials(ProviderError):
    """Raised when the provider rejects the credentials (HTTP 401/403 on the account)."""

    kind = FailureKind.INVALID_CREDENTIALS


class ProviderUnavailable(ProviderError):
    """Raised when the server cannot be reached, times out, or answers 5xx."""

    kind = FailureKind.UNREACHABLE


class ProviderThrottled(ProviderUnavailable):
    """Raised when the provider asks to slow down (HTTP 429, Google's 403 rate-limit reasons)
    or the account's request budget is spent; `retry_after` is the wait it asked for, if any."""

    kind = FailureKind.THROTTLED

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GrantRevoked(InvalidCredentials):
    """Raised when the OAuth grant is dead: the token endpoint answered `invalid_grant` (the
    grant re-read unchanged), or the API refused a freshly refreshed access token."""

    kind = FailureKind.GRANT_REVOKED


class ClientRejected(InvalidCredentials):
    """Raised when the token endpoint refuses the OAuth client (`invalid_client`,
    `unauthorized_client`): a wrong client id or secret, or a token of another client."""

    kind = FailureKind.INVALID_CLIENT


class InsufficientPermissions(InvalidCredentials):
    """Raised when the grant lacks the scopes to read calendars (Google 403 `insufficient…`)."""

    kind = FailureKind.INSUFFICIENT_PERMISSIONS


class ServerUnreachable(ProviderUnavailable):
    """Raised when no connection could be made at all (refused, no route, unknown host)."""


class UrlNotAllowed(ProviderError):
    """Raised when a request would go to an address the SSRF guard refuses."""

    kind = FailureKind.URL_NOT_ALLOWED


class CalendarNotFound(ProviderError):
    """Raised when the requested calendar (or any event calendar) does not exist."""

    kind = FailureKind.CALENDAR_NOT_FOUND


class InvalidSyncCursor(ProviderError):
    """Raised when the stored sync token is no longer valid; the caller lists everything."""


class ChannelGone(ProviderError):
    """Raised when a push channel to renew is no longer known to the provider (expired or
    removed); the caller opens a new one."""


class InvalidCredentialsShape(ValueError):
    """Raised when submitted credentials do not have the provider's shape."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("credentials do not have the expected shape")
        self.errors = errors


def parse_shape(model: type[M], raw: Mapping[str, Any]) -> M:
    """Validate submitted credentials; errors name `credentials.<field>`, never the values."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        raise InvalidCredentialsShape(
            [{"field": _field(e["loc"]), "message": str(e["msg"])} for e in errors]
        ) from None


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(["credentials", *(str(part) for part in loc)])


@dataclass(frozen=True)
class GrantRef:
    """The stored grant credentials came from: OAuth providers cache access tokens on it.
    `retired`: the credentials are a copy of a grant since deleted (kept to stop a deleted
    calendar's push channel): nothing is cached, and a refresh token it rotates may be
    dropped, since nobody holds the grant any more."""

    project_id: str
    grant_id: str
    provider: str
    retired: bool = False


Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class FetchedChanges:
    """One sync's result: changed objects, removed object ids, and the cursor to resume from.
    `cursor_bound_to_window`: the cursor only follows the window it was listed for (Graph's
    delta links), so a moved window needs the new listing's cursor."""

    objects: tuple[ProviderObject, ...]
    removed: tuple[str, ...]
    cursor: str | None
    full: bool
    cursor_bound_to_window: bool = False


@runtime_checkable
class HoldsThreads(Protocol):
    """A provider with threads of its own (the CalDAV ones), let go at shutdown."""

    def close(self) -> None:
        """Release the threads (work in flight ends at its deadline); a later use starts anew."""
        ...


class CalendarProvider(Protocol[C]):
    """What the connector needs from a provider; `C` is its parsed credentials type."""

    def parse_credentials(self, raw: Mapping[str, Any], grant: GrantRef | None = None) -> C:
        """Validate credentials (raises `InvalidCredentialsShape`); `grant` names the stored
        grant they were opened from (None for submitted ones: nothing is cached then)."""
        ...

    def server_urls(self, credentials: C) -> tuple[str, ...]:
        """The user-supplied URLs the provider will contact, for the SSRF guard."""
        ...

    def username(self, credentials: C) -> str | None:
        """The account's login name, when it has one."""
        ...

    def account_key(self, credentials: C) -> str:
        """Which provider account the credentials log in to: calendars of one account (in
        one project) share one grant."""
        ...

    def same_grant(self, stored: Mapping[str, Any], submitted: Mapping[str, Any]) -> bool:
        """Whether a grant of the submitted credentials' account, holding `stored`, is the
        grant they open: equal credentials, or (rotating refresh tokens) the same client."""
        ...

    async def list_calendars(self, credentials: C) -> AccountCalendars:
        """Every calendar of the account, nothing stored (`POST /v1/calendars/raw`)."""
        ...

    async def discover(self, credentials: C, platform_uuid: str | None) -> CalendarFound:
        """Check the credentials and choose the calendar to sync."""
        ...

    async def fetch_changes(
        self, credentials: C, calendar_url: str, cursor: str | None, window: Window | None = None
    ) -> FetchedChanges:
        """Everything since `cursor` (everything, `full`, without one). Providers that list by
        time bound a full listing by `window`; the caller filters every result by it anyway."""
        ...


@runtime_checkable
class RotatesRefreshTokens(Protocol):
    """An OAuth provider that may rotate refresh tokens: credentials it rotates cannot be used
    without keeping what they rotate to (a stored grant)."""

    def rotates_refresh_tokens(self) -> bool:
        """Whether a refresh answers with a new refresh token and retires the presented one."""
        ...


@runtime_checkable
class ChannelProvider(Protocol[C_in]):
    """A provider that pushes change notifications over channels the connector opens."""

    async def open_channel(
        self, credentials: C_in, calendar_url: str, channel_id: str, token: str, address: str
    ) -> OpenChannel:
        """Open a channel on the calendar delivering to `address` with `token`."""
        ...

    async def stop_channel(self, credentials: C_in, channel_id: str, resource_id: str) -> None:
        """Stop a channel (one the provider no longer knows counts as stopped)."""
        ...


@runtime_checkable
class RenewableChannelProvider(ChannelProvider[C_in], Protocol[C_in]):
    """A channel provider whose channels are extended in place (Graph subscriptions) rather
    than replaced by a new one before they expire."""

    async def renew_channel(self, credentials: C_in, channel: OpenChannel) -> OpenChannel:
        """The channel extended to a new expiry (and re-authorized where the provider asks
        for that); raises `ChannelGone` when the provider no longer knows it."""
        ...
