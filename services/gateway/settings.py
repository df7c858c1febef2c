"""Gateway settings: the shared names plus `GATEWAY_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import CommonSettings


class GatewaySettings(CommonSettings):
    SERVICE_PREFIX: ClassVar[str] = "GATEWAY"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("GATEWAY_HOST"))
    port: int = Field(default=8080, validation_alias=AliasChoices("GATEWAY_PORT"))
    service_database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("GATEWAY_DATABASE_URL")
    )
    connector_url: str = Field(
        default="http://127.0.0.1:8081", validation_alias=AliasChoices("GATEWAY_CONNECTOR_URL")
    )
    syncer_url: str = Field(
        default="http://127.0.0.1:8082", validation_alias=AliasChoices("GATEWAY_SYNCER_URL")
    )
    scheduler_url: str = Field(
        default="http://127.0.0.1:8083", validation_alias=AliasChoices("GATEWAY_SCHEDULER_URL")
    )
    rate_limit_per_second: float = Field(
        default=100.0, gt=0, validation_alias=AliasChoices("GATEWAY_RATE_LIMIT_PER_SECOND")
    )
    rate_limit_burst: float = Field(
        default=200.0, ge=1, validation_alias=AliasChoices("GATEWAY_RATE_LIMIT_BURST")
    )
    failed_auth_per_second: float = Field(
        default=5.0, gt=0, validation_alias=AliasChoices("GATEWAY_FAILED_AUTH_PER_SECOND")
    )
    internal_timeout_seconds: float = Field(
        default=10.0, validation_alias=AliasChoices("GATEWAY_INTERNAL_TIMEOUT_SECONDS")
    )
    # Events that ended more than this many days ago (and before their calendar's sync window)
    # are pruned from the read model; keep it equal to `SYNCER_EVENT_RETENTION_DAYS`.
    event_retention_days: int = Field(
        default=30, ge=1, validation_alias=AliasChoices("GATEWAY_EVENT_RETENTION_DAYS")
    )
