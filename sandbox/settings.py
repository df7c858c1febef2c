"""Sandbox settings (`SANDBOX_*`), including the behaviours providers.md marks as uncertain."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SANDBOX_HOST"))
    port: int = Field(default=8090, validation_alias=AliasChoices("SANDBOX_PORT"))
    access_token_ttl_seconds: int = Field(
        default=3600, ge=1, validation_alias=AliasChoices("SANDBOX_ACCESS_TOKEN_TTL_SECONDS")
    )
    authorization_code_ttl_seconds: int = Field(
        default=600, ge=1, validation_alias=AliasChoices("SANDBOX_AUTHORIZATION_CODE_TTL_SECONDS")
    )
    # Google does not add Meet to events created through the API unless asked
    # (conferenceData.createRequest); on, every insert gets one (handy for demos).
    google_meet_on_insert: bool = Field(
        default=False, validation_alias=AliasChoices("SANDBOX_GOOGLE_MEET_ON_INSERT")
    )
    google_page_size_default: int = Field(
        default=250, ge=1, validation_alias=AliasChoices("SANDBOX_GOOGLE_PAGE_SIZE_DEFAULT")
    )
    google_channel_ttl_seconds: int = Field(
        default=7 * 24 * 3600,
        ge=1,
        validation_alias=AliasChoices("SANDBOX_GOOGLE_CHANNEL_TTL_SECONDS"),
    )
    google_sync_token_ttl_seconds: int = Field(
        default=7 * 24 * 3600,
        ge=1,
        validation_alias=AliasChoices("SANDBOX_GOOGLE_SYNC_TOKEN_TTL_SECONDS"),
    )
    # providers.md marks these Google behaviours uncertain: configurable, with a documented default.
    # Whether incremental results stay inside the full sync's timeMin/timeMax (§1.3, §7);
    # False: every change is returned, the harder case for clients.
    google_incremental_keeps_window: bool = Field(
        default=False,
        validation_alias=AliasChoices("SANDBOX_GOOGLE_INCREMENTAL_KEEPS_WINDOW"),
    )
    # The primary calendar's zone: Google takes it from the user's settings.
    google_primary_time_zone: str = Field(
        default="UTC", validation_alias=AliasChoices("SANDBOX_GOOGLE_PRIMARY_TIME_ZONE")
    )
    # Microsoft rotates refresh tokens; the replaced one then fails with invalid_grant, unless
    # this keeps it valid (as Entra sometimes does for confidential clients, providers.md §2.1):
    # then a grant's five newest refresh tokens work (sandbox.oauth.store bounds the rest).
    microsoft_keep_rotated_refresh_tokens: bool = Field(
        default=False,
        validation_alias=AliasChoices("SANDBOX_MICROSOFT_KEEP_ROTATED_REFRESH_TOKENS"),
    )
    # Live Graph refuses Outlook subscriptions further out than 10,070 minutes (providers.md §2.5).
    microsoft_subscription_max_minutes: int = Field(
        default=10_070,
        ge=1,
        validation_alias=AliasChoices("SANDBOX_MICROSOFT_SUBSCRIPTION_MAX_MINUTES"),
    )
    # Outlook's limit of concurrent requests per app and mailbox (providers.md §2.6).
    microsoft_mailbox_concurrency: int = Field(
        default=4, ge=1, validation_alias=AliasChoices("SANDBOX_MICROSOFT_MAILBOX_CONCURRENCY")
    )
    # How an expired calendarView delta token is refused (providers.md §2.3 lists both): 410 Gone
    # with a `Location` holding a fresh initial URL, or 400; the error code is `syncStateNotFound`.
    microsoft_delta_resync_status: Literal[400, 410] = Field(
        default=410, validation_alias=AliasChoices("SANDBOX_MICROSOFT_DELTA_RESYNC_STATUS")
    )
    allow_private_push_addresses: bool = Field(
        default=True, validation_alias=AliasChoices("SANDBOX_ALLOW_PRIVATE_PUSH_ADDRESSES")
    )
