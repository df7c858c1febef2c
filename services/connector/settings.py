"""Connector settings: the shared names plus `CONNECTOR_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr

from shared.provider_endpoints import ProviderEndpoints
from shared.settings import CommonSettings


class ConnectorSettings(CommonSettings):
    SERVICE_PREFIX: ClassVar[str] = "CONNECTOR"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("CONNECTOR_HOST"))
    port: int = Field(default=8081, validation_alias=AliasChoices("CONNECTOR_PORT"))
    service_database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CONNECTOR_DATABASE_URL")
    )
    encryption_keys: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("CONNECTOR_ENCRYPTION_KEYS")
    )
    active_key_id: str | None = Field(
        default=None, validation_alias=AliasChoices("CONNECTOR_ACTIVE_KEY_ID")
    )
    allow_loopback_urls: bool = Field(
        default=False, validation_alias=AliasChoices("CONNECTOR_ALLOW_LOOPBACK_URLS")
    )
    provider_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=120,
        validation_alias=AliasChoices("CONNECTOR_PROVIDER_TIMEOUT_SECONDS"),
    )
    sync_workers: int = Field(
        default=4, ge=1, le=64, validation_alias=AliasChoices("CONNECTOR_SYNC_WORKERS")
    )
    poll_interval_seconds: float = Field(
        default=300.0, gt=0, validation_alias=AliasChoices("CONNECTOR_POLL_INTERVAL_SECONDS")
    )
    # Calendars with a live push channel are still synced this often (push is lossy).
    reconcile_interval_seconds: float = Field(
        default=6 * 3600.0,
        gt=0,
        validation_alias=AliasChoices("CONNECTOR_RECONCILE_INTERVAL_SECONDS"),
    )
    # Where providers deliver push notifications (the gateway's public URL); unset: no push.
    public_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PUBLIC_BASE_URL")
    )
    max_response_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=64 * 1024,
        validation_alias=AliasChoices("CONNECTOR_MAX_RESPONSE_BYTES"),
    )
    # The providers' base URLs (GOOGLE_API_BASE_URL, GOOGLE_OAUTH_BASE_URL, …: unprefixed).
    provider_endpoints: ProviderEndpoints = Field(default_factory=ProviderEndpoints)
    # Requests per minute and Google account from one connector process (Google's per-user
    # quota is 600; lower it when several connector processes share the accounts).
    google_requests_per_minute: int = Field(
        default=600, ge=1, validation_alias=AliasChoices("CONNECTOR_GOOGLE_REQUESTS_PER_MINUTE")
    )
    apple_caldav_url: str = Field(
        default="https://caldav.icloud.com", validation_alias=AliasChoices("APPLE_CALDAV_URL")
    )

    def loopback_allowed(self) -> bool:
        """Loopback CalDAV servers are a development convenience (`api.md` → dev mode)."""
        return self.allow_loopback_urls or self.dev_mode
