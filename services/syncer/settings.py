"""Syncer settings: the shared names plus `SYNCER_*`."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from services.syncer.domain import series_guards
from shared.settings import CommonSettings


class SyncerSettings(CommonSettings):
    SERVICE_PREFIX: ClassVar[str] = "SYNCER"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("SYNCER_HOST"))
    port: int = Field(default=8082, validation_alias=AliasChoices("SYNCER_PORT"))
    service_database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SYNCER_DATABASE_URL")
    )
    # Hosts (each with its subdomains) whose links count as meeting links of platform `other`,
    # e.g. a self-hosted Jitsi: comma-separated, like `meet.example.org,video.example.com`.
    meeting_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias=AliasChoices("SYNCER_MEETING_HOSTS")
    )

    # Recurring series: instances of one series allowed in the sync window (a series with more
    # is refused and reported as a sync issue), and the CPU time one object's expansion may use.
    max_instances_per_series: int = Field(
        default=series_guards.MAX_INSTANCES,
        ge=1,
        validation_alias=AliasChoices("SYNCER_MAX_INSTANCES_PER_SERIES"),
    )
    expansion_cpu_seconds: float = Field(
        default=series_guards.CPU_SECONDS,
        gt=0,
        validation_alias=AliasChoices("SYNCER_EXPANSION_CPU_SECONDS"),
    )
    # The CPU time mapping one page of provider objects may use (in a worker thread); objects
    # left when it is spent are refused as `too_costly` sync issues, their events kept.
    page_cpu_seconds: float = Field(
        default=series_guards.PAGE_CPU_SECONDS,
        gt=0,
        validation_alias=AliasChoices("SYNCER_PAGE_CPU_SECONDS"),
    )

    # Events that ended more than this many days ago (and before their calendar's sync window)
    # are pruned from the store, without a change message.
    event_retention_days: int = Field(
        default=30, ge=1, validation_alias=AliasChoices("SYNCER_EVENT_RETENTION_DAYS")
    )

    def expansion_limits(self) -> series_guards.ExpansionLimits:
        return series_guards.ExpansionLimits(
            self.max_instances_per_series, self.expansion_cpu_seconds, self.page_cpu_seconds
        )

    @field_validator("meeting_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(host.strip() for host in value.split(",") if host.strip())
        return value

    @field_validator("meeting_hosts")
    @classmethod
    def _bare_hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        for host in hosts:
            if "/" in host or ":" in host or " " in host:
                raise ValueError(f"SYNCER_MEETING_HOSTS takes host names, not {host!r}")
        return hosts
