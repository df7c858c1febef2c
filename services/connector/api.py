"""Internal HTTP routes (gateway → connector): register a calendar's credentials, list an
account's calendars."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from services.connector import connecting, listing
from services.connector.domain.failures import describe
from services.connector.providers.base import (
    InvalidCredentialsShape,
    ProviderError,
    ProviderUnavailable,
    ServerUnreachable,
)
from services.connector.ssrf import UnsafeUrl
from shared.contracts.connections import Provider
from shared.http.internal import require_internal_token
from shared.http.problems import Problem


class CredentialsBody(BaseModel):
    """`POST /internal/credentials`: the credentials of one calendar (never returned)."""

    model_config = ConfigDict(extra="forbid")
    project_id: str = Field(min_length=1)
    calendar_id: str = Field(min_length=1)
    provider: Provider
    credentials: dict[str, Any]
    platform_uuid: str | None = None


class RawCalendarsBody(BaseModel):
    """`POST /internal/calendars/raw`: list an account's calendars, nothing stored."""

    model_config = ConfigDict(extra="forbid")
    project_id: str = Field(min_length=1)
    provider: Provider
    credentials: dict[str, Any]


class RawCalendar(BaseModel):
    platform_uuid: str
    name: str | None
    email: str | None
    is_primary: bool
    time_zone: str | None


class RawCalendars(BaseModel):
    results: list[RawCalendar]


def internal_router(
    registrar: connecting.Registrar, lister: listing.CalendarLister, internal_token: str
) -> APIRouter:
    check_token: Any = require_internal_token(internal_token)
    router = APIRouter(prefix="/internal", dependencies=[Depends(check_token)])

    @router.post("/credentials", status_code=204)
    async def register_credentials(body: CredentialsBody) -> Response:
        submission = connecting.Submission(
            project_id=body.project_id,
            calendar_id=body.calendar_id,
            provider=body.provider,
            credentials=body.credentials,
            platform_uuid=body.platform_uuid,
        )
        try:
            await registrar.register(submission)
        except (connecting.UnsupportedProvider, InvalidCredentialsShape, UnsafeUrl) as exc:
            raise _unprocessable(exc) from None
        except connecting.CalendarOfAnotherProject:
            raise Problem(409, "The calendar id belongs to another project.") from None
        return Response(status_code=204)

    @router.post("/calendars/raw", response_model=RawCalendars)
    async def raw_calendars(body: RawCalendarsBody) -> RawCalendars:
        try:
            found = await lister.list_calendars(body.project_id, body.provider, body.credentials)
        except (connecting.UnsupportedProvider, InvalidCredentialsShape, UnsafeUrl) as exc:
            raise _unprocessable(exc) from None
        except ProviderError as exc:
            raise provider_problem(exc) from None
        return RawCalendars(results=[RawCalendar(**vars(entry)) for entry in found])

    return router


def provider_problem(exc: ProviderError) -> Problem:
    """api.md → Conventions: a provider refusing the credentials or a server that cannot be
    reached → 422 with the reason; a provider failing (5xx, no answer in time) → 502."""
    text, reason = describe(exc.kind), {"reason": exc.kind.value}
    unreachable = isinstance(exc, ServerUnreachable)
    failing = type(exc) is ProviderError or isinstance(exc, ProviderUnavailable)
    if unreachable or not failing:
        return Problem(422, text, type_="/problems/provider-refused", extra=reason)
    return Problem(502, text, type_="/problems/provider-failed", extra=reason)


def _unprocessable(exc: Exception) -> Problem:
    if isinstance(exc, InvalidCredentialsShape):
        return Problem(
            422, "The credentials are not valid.", type_="/problems/validation", errors=exc.errors
        )
    if isinstance(exc, UnsafeUrl):
        detail = f"The server URL is not allowed: {exc}."
        return Problem(
            422,
            detail,
            type_="/problems/url-not-allowed",
            errors=[{"field": "credentials.url", "message": str(exc)}],
        )
    return Problem(422, f"{exc}.", type_="/problems/unsupported-provider")
