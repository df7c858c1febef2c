"""Entra ID (v2 endpoint) error bodies (providers.md §2.1): `error`, `error_description` starting
`AADSTSnnnn:` and ending with Trace ID / Correlation ID / Timestamp lines, `error_codes`,
`timestamp`, `trace_id`, `correlation_id`, `error_uri`, and sometimes `suberror`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

from sandbox.microsoft import identifiers

NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
LOGIN = "https://login.microsoftonline.com"


class EntraRefusal(Exception):
    """Raised inside the OAuth routes to answer an AADSTS error with `status`."""

    def __init__(
        self, status: int, error: str, code: int, text: str, suberror: str | None = None
    ) -> None:
        super().__init__(f"AADSTS{code}: {text}")
        self.status, self.error, self.code, self.text = status, error, code, text
        self.suberror = suberror

    def body(self, now: datetime | None = None) -> dict[str, Any]:
        return error_body(self.error, self.code, self.text, self.suberror, now)

    def response(self, now: datetime | None = None) -> JSONResponse:
        return JSONResponse(self.body(now), self.status, NO_STORE)


def error_body(
    error: str, code: int, text: str, suberror: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    trace, correlation = identifiers.trace_id(), identifiers.trace_id()
    stamp = moment.strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{code}: {text}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\n"
        f"Timestamp: {stamp}"
    )
    body: dict[str, Any] = {
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"{LOGIN}/error?code={code}",
    }
    if suberror:
        body["suberror"] = suberror
    return body


def missing(name: str) -> EntraRefusal:
    return EntraRefusal(
        400,
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
    )
