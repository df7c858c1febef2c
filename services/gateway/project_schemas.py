"""`GET/PATCH /v1/project` models (`api.md` → Project settings): OAuth app secrets go in, never
out; requests reject unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.gateway.schemas import WebUrl


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


T = TypeVar("T")


def _not_null(value: T | None) -> T:
    """Explicit nulls are refused (absent fields are not validated at all)."""
    if value is None:
        raise ValueError("may not be null")
    return value


class OAuthAppIn(_Strict):
    """One provider's app as a merge patch: absent fields stay as they are. A new app needs
    `client_id` and `client_secret`; a new `client_id` needs its `client_secret`."""

    client_id: str | None = Field(default=None, min_length=1, max_length=512)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1024)

    _given = field_validator("client_id", "client_secret")(_not_null)


class ZoomAppIn(OAuthAppIn):
    """Zoom's app also has the secret token its webhooks are signed with (null removes it)."""

    # Zoom's secret tokens are 22 characters; a short one would let deliveries be forged.
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=1024)


class OAuthAppsIn(_Strict):
    """Per provider an app (merged into the current one), or null to remove it."""

    google: OAuthAppIn | None = None
    microsoft: OAuthAppIn | None = None
    zoom: ZoomAppIn | None = None

    def changes(self) -> dict[str, Any]:
        """What the connector is asked to change: the given providers, given fields only."""
        return self.model_dump(exclude_unset=True)


class UpdateProject(_Strict):
    """`PATCH /v1/project`: only the given fields change; `bot_runner_url: null` clears it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    bot_runner_url: WebUrl | None = Field(
        default=None,
        description="Stored and shown; join jobs are delivered to it by the bot runner issue.",
    )
    oauth_apps: OAuthAppsIn | None = None

    _given = field_validator("name", "oauth_apps")(_not_null)


class OAuthAppOut(BaseModel):
    client_id: str
    client_secret_set: bool
    webhook_secret_set: bool


class OAuthAppsOut(BaseModel):
    google: OAuthAppOut | None = None
    microsoft: OAuthAppOut | None = None
    zoom: OAuthAppOut | None = None


class ProjectOut(BaseModel):
    id: str
    name: str
    bot_runner_url: str | None
    oauth_apps: OAuthAppsOut
    created_at: datetime
    updated_at: datetime
