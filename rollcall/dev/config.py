"""Settings of `make run` (dev mode): which servers to embed, ports, data folder, dev key."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DevSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    gateway_port: int = Field(default=8080, validation_alias=AliasChoices("GATEWAY_PORT"))
    sandbox_port: int | None = Field(default=None, validation_alias=AliasChoices("SANDBOX_PORT"))
    sandbox: bool = Field(default=True, validation_alias=AliasChoices("ROLLCALL_DEV_SANDBOX"))
    public_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PUBLIC_BASE_URL")
    )
    data_dir: Path | None = Field(default=None, validation_alias=AliasChoices("ROLLCALL_DATA_DIR"))
    dev_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("ROLLCALL_DEV_API_KEY")
    )
    kafka_partitions: int = Field(
        default=3, ge=1, le=256, validation_alias=AliasChoices("ROLLCALL_KAFKA_PARTITIONS")
    )
    postgres_port: int | None = Field(
        default=None, validation_alias=AliasChoices("ROLLCALL_POSTGRES_PORT")
    )
    kafka_port: int | None = Field(
        default=None, validation_alias=AliasChoices("ROLLCALL_KAFKA_PORT")
    )
    state_dir: Path = Field(
        default=Path(".rollcall/dev"), validation_alias=AliasChoices("ROLLCALL_STATE_DIR")
    )
