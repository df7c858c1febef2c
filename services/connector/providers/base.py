"""The provider port the sync use case calls, what it returns, and the errors it raises.

Each provider module translates its client library's exceptions into these, so use cases
never see a driver exception. Error messages are fixed texts: never provider output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars
from services.connector.domain.failures import FailureKind
from shared.contracts.provider import ProviderObject

C = TypeVar("C")
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
class FetchedChanges:
    """One sync's result: changed objects, removed object ids, and the cursor to resume from."""

    objects: tuple[ProviderObject, ...]
    removed: tuple[str, ...]
    cursor: str | None
    full: bool


class CalendarProvider(Protocol[C]):
    """What the connector needs from a provider; `C` is its parsed credentials type."""

    def parse_credentials(self, raw: Mapping[str, Any]) -> C:
        """Validate submitted credentials (raises `InvalidCredentialsShape`)."""
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

    async def list_calendars(self, credentials: C) -> AccountCalendars:
        """Every calendar of the account, nothing stored (`POST /v1/calendars/raw`)."""
        ...

    async def discover(self, credentials: C, platform_uuid: str | None) -> CalendarFound:
        """Check the credentials and choose the calendar to sync."""
        ...

    async def fetch_changes(
        self, credentials: C, calendar_url: str, cursor: str | None
    ) -> FetchedChanges:
        """Everything since `cursor` (everything, `full`, without one)."""
        ...
