"""Internal HTTP routes (gateway → connector) for hosted OAuth: a project's OAuth apps (secrets
in, public facts out), the authorization URL, and the code exchange that registers a calendar.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from services.connector import connecting
from services.connector.domain.oauth_apps import AppChange, InvalidAppChange
from services.connector.hosted_oauth import (
    HostedOAuth,
    HostedOAuthUnavailable,
    NoOAuthApp,
    UnknownAuthorization,
)
from services.connector.oauth.apps import ProjectApps
from services.connector.oauth.consent import ExchangeFailed
from services.connector.providers.base import InvalidCredentialsShape, ProviderError
from shared.http.internal import require_internal_token
from shared.http.problems import Problem

HostedProvider = Literal["google", "microsoft", "zoom"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppChangeBody(_Strict):
    """One provider's app, as a merge patch: absent fields stay; `webhook_secret: null`
    removes the webhook secret."""

    client_id: str | None = Field(default=None, min_length=1, max_length=512)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1024)
    webhook_secret: str | None = Field(default=None, min_length=1, max_length=1024)

    def change(self) -> AppChange:
        return AppChange(
            client_id=self.client_id,
            client_secret=self.client_secret,
            webhook_secret=self.webhook_secret,
            webhook_given="webhook_secret" in self.model_fields_set,
        )


class AppsChangeBody(_Strict):
    """`PATCH /internal/projects/{id}/oauth_apps`: per provider a change, or null to remove."""

    google: AppChangeBody | None = None
    microsoft: AppChangeBody | None = None
    zoom: AppChangeBody | None = None

    def changes(self) -> dict[str, AppChange | None]:
        given = {name: getattr(self, name) for name in sorted(self.model_fields_set)}
        return {name: body.change() if body is not None else None for name, body in given.items()}


class AppFactsOut(BaseModel):
    client_id: str
    client_secret_set: bool
    webhook_secret_set: bool


class AppsOut(BaseModel):
    version: int
    apps: dict[str, AppFactsOut]


class AuthorizationBody(_Strict):
    """`POST /internal/oauth/authorizations`."""

    project_id: str = Field(min_length=1)
    provider: HostedProvider
    state: str = Field(min_length=32, max_length=512)
    login_hint: str | None = Field(default=None, min_length=1, max_length=320)


class AuthorizationOut(BaseModel):
    authorization_url: str


class ExchangeBody(_Strict):
    """`POST /internal/oauth/exchanges`: complete an authorization for a new calendar."""

    project_id: str = Field(min_length=1)
    provider: HostedProvider
    state: str = Field(min_length=32, max_length=512)
    code: str = Field(min_length=1, max_length=4096)
    calendar_id: str = Field(min_length=1)
    platform_uuid: str | None = None


def oauth_router(apps: ProjectApps, hosted: HostedOAuth, internal_token: str) -> APIRouter:
    check_token: Any = require_internal_token(internal_token)
    router = APIRouter(prefix="/internal", dependencies=[Depends(check_token)])

    @router.patch("/projects/{project_id}/oauth_apps", response_model=AppsOut)
    async def change_apps(project_id: str, body: AppsChangeBody) -> AppsOut:
        try:
            view = await apps.change(project_id, body.changes())
        except InvalidAppChange as refused:
            errors = [{"field": e.field, "message": e.message} for e in refused.errors]
            raise Problem(
                422, "The OAuth apps are not valid.", type_="/problems/validation", errors=errors
            ) from None
        return AppsOut(
            version=view.version,
            apps={name: AppFactsOut(**vars(facts)) for name, facts in view.apps.items()},
        )

    @router.post("/oauth/authorizations", response_model=AuthorizationOut)
    async def start_authorization(body: AuthorizationBody) -> AuthorizationOut:
        try:
            url = await hosted.start(body.project_id, body.provider, body.state, body.login_hint)
        except NoOAuthApp:
            raise _no_app(body.provider) from None
        except HostedOAuthUnavailable:
            raise Problem(
                503,
                "Hosted OAuth needs PUBLIC_BASE_URL (where providers send users back).",
                type_="/problems/hosted-oauth-unavailable",
            ) from None
        except ProviderError:
            raise Problem(
                502,
                "The provider's authorization server could not be found.",
                type_="/problems/provider-failed",
            ) from None
        return AuthorizationOut(authorization_url=url)

    @router.post("/oauth/exchanges", status_code=204)
    async def exchange_code(body: ExchangeBody) -> Response:
        try:
            await hosted.complete(
                project_id=body.project_id,
                provider=body.provider,
                state=body.state,
                code=body.code,
                calendar_id=body.calendar_id,
                platform_uuid=body.platform_uuid,
            )
        except UnknownAuthorization:
            raise _exchange_failed("invalid_request") from None
        except ExchangeFailed as failed:
            raise _exchange_failed(failed.error) from None
        except (connecting.UnsupportedProvider, InvalidCredentialsShape):
            raise _exchange_failed("server_error") from None
        except connecting.CalendarOfAnotherProject:
            raise Problem(409, "The calendar id belongs to another project.") from None
        return Response(status_code=204)

    return router


def _no_app(provider: str) -> Problem:
    return Problem(
        422,
        f"The project has no {provider} OAuth app: set oauth_apps.{provider}"
        " with PATCH /v1/project.",
        type_="/problems/no-oauth-app",
        errors=[{"field": "provider", "message": f"no {provider} OAuth app in this project"}],
    )


def _exchange_failed(error: str) -> Problem:
    """The code was not exchanged; `error` is the OAuth error code for the client's redirect."""
    return Problem(
        422,
        "The authorization code was not exchanged.",
        type_="/problems/oauth-exchange-failed",
        extra={"error": error},
    )
