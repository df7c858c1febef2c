"""Scheduler settings: the shared names plus `SCHEDULER_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import CommonSettings


class SchedulerSettings(CommonSettings):
    SERVICE_PREFIX: ClassVar[str] = "SCHEDULER"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SCHEDULER_HOST"))
    port: int = Field(default=8083, validation_alias=AliasChoices("SCHEDULER_PORT"))
    service_database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SCHEDULER_DATABASE_URL")
    )
    # Calendars with a meeting starting within `imminent_window_seconds` are synced every
    # `imminent_sync_seconds` (a `sync.hint` to the connector), whatever their poll interval.
    imminent_sync_seconds: float = Field(
        default=60, gt=0, validation_alias=AliasChoices("SCHEDULER_IMMINENT_SYNC_SECONDS")
    )
    imminent_window_seconds: float = Field(
        default=1800, gt=0, validation_alias=AliasChoices("SCHEDULER_IMMINENT_WINDOW_SECONDS")
    )
