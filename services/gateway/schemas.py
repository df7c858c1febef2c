"""Public API request and response models (`api.md`); requests reject unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from services.gateway.domain.hosted_oauth import check_client_redirect
from services.gateway.domain.web_urls import MAX_LENGTH, check_web_url
from shared.contracts.connections import Provider, SyncWindow
from shared.http.problems import Problem

SUPPORTED_PROVIDERS: tuple[Provider, ...] = ("caldav", "apple", "google", "microsoft", "zoom")
HostedProvider = Literal["google", "microsoft", "zoom"]
# An absolute http(s) URL with a host, no credentials, no fragment.
WebUrl = Annotated[str, Field(max_length=MAX_LENGTH), AfterValidator(check_web_url)]
# The callback appends `state` and `calendar_id` or `error`: the client's URL must not have them.
ClientRedirect = Annotated[WebUrl, AfterValidator(check_client_redirect)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SyncWindowIn(SyncWindow):
    """A requested sync window: the contract's model, refusing misspelt fields (422)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CaldavCredentials(_Strict):
    url: AnyHttpUrl
    username: str = Field(min_length=1, max_length=512)
    password: str = Field(min_length=1, max_length=4096)


class AppleCredentials(_Strict):
    apple_id: str = Field(min_length=3, max_length=320)
    app_specific_password: str = Field(min_length=1, max_length=256)


class OAuthCredentials(_Strict):
    """Direct OAuth credentials (google, microsoft, zoom)."""

    client_id: str = Field(min_length=1, max_length=512)
    client_secret: str = Field(min_length=1, max_length=1024)
    refresh_token: str = Field(min_length=1, max_length=4096)


_CREDENTIALS: dict[str, type[BaseModel]] = {
    "caldav": CaldavCredentials,
    "apple": AppleCredentials,
    "google": OAuthCredentials,
    "microsoft": OAuthCredentials,
    "zoom": OAuthCredentials,
}


def check_credentials(provider: str, credentials: dict[str, Any]) -> None:
    """Raise a 422 problem naming each bad `credentials.*` field of the provider's shape."""
    try:
        _CREDENTIALS[provider].model_validate(credentials)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(["credentials", *map(str, e["loc"])]), "message": e["msg"]}
            for e in exc.errors()
        ]
        raise Problem(
            422, "The credentials are not valid.", type_="/problems/validation", errors=errors
        ) from None


def _supported(provider: Provider) -> Provider:
    if provider not in SUPPORTED_PROVIDERS:
        raise ValueError(f"provider '{provider}' is not supported by this version yet")
    return provider


class RawCalendarsRequest(_Strict):
    """`POST /v1/calendars/raw`."""

    provider: Provider
    credentials: dict[str, Any]

    _provider = field_validator("provider")(_supported)


class RawCalendarOut(BaseModel):
    platform_uuid: str
    name: str | None
    email: str | None
    is_primary: bool
    time_zone: str | None


class RawCalendarList(BaseModel):
    results: list[RawCalendarOut]


class NewCalendarFields(_Strict):
    """What a new calendar is given besides its credentials (directly or through OAuth)."""

    platform_uuid: str | None = Field(default=None, max_length=2048)
    metadata: dict[str, str] = Field(default_factory=dict, max_length=50)
    deduplication_key: str | None = Field(default=None, min_length=1, max_length=256)
    sync_window: SyncWindowIn = Field(default_factory=SyncWindowIn)


class CreateCalendar(NewCalendarFields):
    provider: Provider
    credentials: dict[str, Any]

    _provider = field_validator("provider")(_supported)

    def check_credentials(self) -> None:
        """Raise a 422 problem naming each bad `credentials.*` field."""
        check_credentials(self.provider, self.credentials)


class AuthorizeCalendar(NewCalendarFields):
    """`POST /v1/calendars/authorize`: start hosted OAuth with the project's own app; the
    callback creates the calendar and sends the browser to `redirect_uri`."""

    provider: HostedProvider
    redirect_uri: ClientRedirect
    login_hint: str | None = Field(
        default=None,
        min_length=1,
        max_length=320,
        description="Extension: the account to sign in with, passed to the provider.",
    )


class AuthorizationOut(BaseModel):
    authorization_url: str
    state: str


class UpdateCalendar(_Strict):
    """`PATCH /v1/calendars/{id}`: new credentials (same provider) reconnect and resync."""

    metadata: dict[str, str] | None = Field(default=None, max_length=50)
    credentials: dict[str, Any] | None = None
    sync_window: SyncWindowIn | None = None


class ConnectionFailureOut(BaseModel):
    reason: str
    message: str
    at: datetime


class PushOut(BaseModel):
    kind: str  # `google_watch`
    expires_at: datetime


class SyncIssueOut(BaseModel):
    """A provider object the calendar's sync skipped: `reason` is `unmappable`,
    `too_many_instances`, `unsupported_frequency`, `invalid_interval` or `too_costly`."""

    provider_object_id: str
    reason: str
    message: str
    since: datetime


class AutoJoinOut(BaseModel):
    mode: Literal["off", "all", "rules"] = "off"


class CalendarOut(BaseModel):
    id: str
    provider: Provider
    state: str
    platform_uuid: str | None
    name: str | None
    account_email: str | None
    client_id: str | None = None
    metadata: dict[str, str]
    deduplication_key: str | None
    connection_failure_data: ConnectionFailureOut | None
    event_count: int
    sync_window: SyncWindow
    auto_join: AutoJoinOut = Field(default_factory=AutoJoinOut)
    push: PushOut | None = None
    # Provider objects skipped by the sync (a refused recurring series, bad data): the first
    # 100 by object id, and how many there are. The rest of the calendar syncs regardless.
    sync_issues: list[SyncIssueOut] = Field(default_factory=list)
    sync_issue_count: int = 0
    created_at: datetime
    updated_at: datetime
    last_attempted_sync_at: datetime | None
    last_successful_sync_at: datetime | None


class CalendarList(BaseModel):
    results: list[CalendarOut]
    next: str | None


class ResyncAllOut(BaseModel):
    calendar_ids: list[str]


class EventList(BaseModel):
    results: list[dict[str, Any]]
    next: str | None
