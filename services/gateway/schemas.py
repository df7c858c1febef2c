"""Public API request and response models (`api.md`); requests reject unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.contracts.connections import Provider, SyncWindow
from shared.http.problems import Problem

SUPPORTED_PROVIDERS: tuple[Provider, ...] = ("caldav",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaldavCredentials(_Strict):
    url: AnyHttpUrl
    username: str = Field(min_length=1, max_length=512)
    password: str = Field(min_length=1, max_length=4096)


class CreateCalendar(_Strict):
    provider: Provider
    credentials: dict[str, Any]
    platform_uuid: str | None = Field(default=None, max_length=2048)
    metadata: dict[str, str] = Field(default_factory=dict, max_length=50)
    deduplication_key: str | None = Field(default=None, min_length=1, max_length=256)
    sync_window: SyncWindow = Field(default_factory=SyncWindow)

    @field_validator("provider")
    @classmethod
    def _supported(cls, provider: Provider) -> Provider:
        if provider not in SUPPORTED_PROVIDERS:
            raise ValueError(f"provider '{provider}' is not supported by this version yet")
        return provider

    def check_credentials(self) -> None:
        """Raise a 422 problem naming each bad `credentials.*` field."""
        try:
            CaldavCredentials.model_validate(self.credentials)
        except ValidationError as exc:
            errors = [
                {"field": ".".join(["credentials", *map(str, e["loc"])]), "message": e["msg"]}
                for e in exc.errors()
            ]
            raise Problem(
                422, "The credentials are not valid.", type_="/problems/validation", errors=errors
            ) from None


class UpdateCalendar(_Strict):
    metadata: dict[str, str] | None = Field(default=None, max_length=50)


class ConnectionFailureOut(BaseModel):
    reason: str
    message: str
    at: datetime


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
    push: dict[str, Any] | None = None
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
