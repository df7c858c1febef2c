"""Settings base: the unprefixed names every service reads, as fixed by the public contract."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Names shared by all services (see `api.md` → Operations); subclasses add prefixed ones."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL")
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_idempotent_producer: bool = Field(
        default=True, validation_alias=AliasChoices("ROLLCALL_KAFKA_IDEMPOTENCE")
    )
    # Apache Kafka answers a fetch as soon as data arrives; Tansu holds it for the whole wait,
    # so dev mode (Tansu) sets 20 ms: each hop costs up to this.
    kafka_fetch_max_wait_ms: int = Field(
        default=500, ge=1, le=5000, validation_alias=AliasChoices("ROLLCALL_KAFKA_FETCH_WAIT_MS")
    )
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=6_000,
        le=300_000,
        validation_alias=AliasChoices("ROLLCALL_KAFKA_SESSION_TIMEOUT_MS"),
    )
    internal_token: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("ROLLCALL_INTERNAL_TOKEN")
    )
    # Shared by the connector (channel tokens it gives providers) and the gateway (which checks
    # them on push notifications): `shared/push_tokens.py`. Empty: push is off.
    push_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("ROLLCALL_PUSH_SECRET")
    )
    dev_mode: bool = Field(default=False, validation_alias=AliasChoices("ROLLCALL_DEV_MODE"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("ROLLCALL_LOG_LEVEL"))

    # Each service's settings redeclare this with their `<SERVICE>_DATABASE_URL` alias.
    service_database_url: SecretStr | None = None
    SERVICE_PREFIX: ClassVar[str] = "SERVICE"

    def dsn(self) -> str:
        """The service's own role DSN, else DATABASE_URL (a single-role setup)."""
        url = self.service_database_url or self.database_url
        if url is None:
            raise RuntimeError(f"set {self.SERVICE_PREFIX}_DATABASE_URL (or DATABASE_URL)")
        return url.get_secret_value()
