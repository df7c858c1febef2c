"""Syncer settings: the shared names plus `SYNCER_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import CommonSettings


class SyncerSettings(CommonSettings):
    SERVICE_PREFIX: ClassVar[str] = "SYNCER"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SYNCER_HOST"))
    port: int = Field(default=8082, validation_alias=AliasChoices("SYNCER_PORT"))
    service_database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SYNCER_DATABASE_URL")
    )
