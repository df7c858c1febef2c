"""Provider base URLs: the unprefixed settings `api.md` fixes (`GOOGLE_API_BASE_URL`, …).

Each stands for the real host a provider's documented paths hang off, so a client appends the
same paths whether it talks to the provider or to the sandbox (`make run` points all of them at
`<sandbox>/<provider>`)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# env name -> the production default
DEFAULTS: dict[str, str] = {
    "GOOGLE_API_BASE_URL": "https://www.googleapis.com",
    # Google's accounts host: its `/.well-known/openid-configuration` names the authorization,
    # token and revocation endpoints (the token endpoint lives on oauth2.googleapis.com).
    "GOOGLE_OAUTH_BASE_URL": "https://accounts.google.com",
    "MICROSOFT_GRAPH_BASE_URL": "https://graph.microsoft.com",
    "MICROSOFT_LOGIN_BASE_URL": "https://login.microsoftonline.com",
    "ZOOM_API_BASE_URL": "https://api.zoom.us",
    "ZOOM_OAUTH_BASE_URL": "https://zoom.us",
    "APPLE_CALDAV_URL": "https://caldav.icloud.com",
}


class ProviderEndpoints(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    google_api_base_url: str = Field(
        default=DEFAULTS["GOOGLE_API_BASE_URL"],
        validation_alias=AliasChoices("GOOGLE_API_BASE_URL"),
    )
    google_oauth_base_url: str = Field(
        default=DEFAULTS["GOOGLE_OAUTH_BASE_URL"],
        validation_alias=AliasChoices("GOOGLE_OAUTH_BASE_URL"),
    )
    microsoft_graph_base_url: str = Field(
        default=DEFAULTS["MICROSOFT_GRAPH_BASE_URL"],
        validation_alias=AliasChoices("MICROSOFT_GRAPH_BASE_URL"),
    )
    microsoft_login_base_url: str = Field(
        default=DEFAULTS["MICROSOFT_LOGIN_BASE_URL"],
        validation_alias=AliasChoices("MICROSOFT_LOGIN_BASE_URL"),
    )
    zoom_api_base_url: str = Field(
        default=DEFAULTS["ZOOM_API_BASE_URL"], validation_alias=AliasChoices("ZOOM_API_BASE_URL")
    )
    zoom_oauth_base_url: str = Field(
        default=DEFAULTS["ZOOM_OAUTH_BASE_URL"],
        validation_alias=AliasChoices("ZOOM_OAUTH_BASE_URL"),
    )
    apple_caldav_url: str = Field(
        default=DEFAULTS["APPLE_CALDAV_URL"], validation_alias=AliasChoices("APPLE_CALDAV_URL")
    )

    def by_env_name(self) -> dict[str, str]:
        """Every endpoint under its environment variable's name, trailing slashes dropped."""
        return {env: str(getattr(self, env.lower())).rstrip("/") for env in DEFAULTS}


def sandbox_endpoints(sandbox_url: str) -> dict[str, str]:
    """The endpoints of a provider sandbox at `sandbox_url` (sandbox/README.md → Paths). Apple
    has no sandbox: its URL is left to the operator (dev: any CalDAV server)."""
    return {
        "GOOGLE_API_BASE_URL": f"{sandbox_url}/google",
        "GOOGLE_OAUTH_BASE_URL": f"{sandbox_url}/google",
        "MICROSOFT_GRAPH_BASE_URL": f"{sandbox_url}/microsoft",
        "MICROSOFT_LOGIN_BASE_URL": f"{sandbox_url}/microsoft/login",
        "ZOOM_API_BASE_URL": f"{sandbox_url}/zoom",
        "ZOOM_OAUTH_BASE_URL": f"{sandbox_url}/zoom",
    }
