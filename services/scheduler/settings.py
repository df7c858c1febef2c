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
