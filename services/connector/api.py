"""Internal HTTP routes (gateway → connector): register a calendar's credentials."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from services.connector import connecting
from services.connector.providers.base import InvalidCredentialsShape
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


def internal_router(registrar: connecting.Registrar, internal_token: str) -> APIRouter:
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

    return router


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
