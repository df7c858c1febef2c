"""How Microsoft answers an injected fault: Graph's error envelope on API paths (`TooManyRequests`,
`ApplicationThrottled`, `ServiceNotAvailable`, `UnknownError`…, providers.md §2.6) and an AADSTS
body on the Entra endpoints under `/login/`."""

from __future__ import annotations

from sandbox.microsoft import aadsts, errors
from sandbox.world import FaultAnswer

GRAPH_CODES: dict[int, str] = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    409: "ErrorIrresolvableConflict",
    410: "syncStateNotFound",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "UnknownError",
    502: "BadGateway",
    503: "ServiceNotAvailable",
    504: "GatewayTimeout",
}
MESSAGES: dict[str, str] = {
    "TooManyRequests": "Please retry again later.",
    "ApplicationThrottled": "Application is over its MailboxConcurrency limit.",
    "ServiceNotAvailable": "Service unavailable. Please try again later.",
    "UnknownError": "",
    "GatewayTimeout": "The request timed out.",
    "ErrorAccessDenied": "Access is denied. Check credentials and try again.",
    "ErrorItemNotFound": "The specified object was not found in the store.",
    "InvalidAuthenticationToken": "Access token has expired or is not yet valid.",
}
# AADSTS codes for faults on the token endpoints: (error, code, text).
LOGIN_ERRORS: dict[int, tuple[str, int, str]] = {
    400: ("invalid_request", 9002313, "Invalid request. Request is malformed or invalid."),
    401: ("invalid_client", 7000215, "Invalid client secret provided."),
    429: (
        "temporarily_unavailable",
        50196,
        "The server terminated an operation because it encountered a client request loop.",
    ),
}
LOGIN_UNAVAILABLE = (
    "temporarily_unavailable",
    90033,
    "A transient error has occurred. Please try again.",
)


def microsoft_fault(status: int, reason: str | None, path: str) -> FaultAnswer:
    """Microsoft's answer with `status` at the provider-relative `path`; `reason` picks Graph's
    error code (or, under `/login/`, the OAuth `error`)."""
    if path.startswith("/login/"):
        error, code, text = LOGIN_ERRORS.get(status, LOGIN_UNAVAILABLE)
        return FaultAnswer(aadsts.error_body(reason or error, code, text), aadsts.NO_STORE)
    if status == 401:
        failure = errors.invalid_token()
    else:
        fallback = "UnknownError" if status >= 500 else "BadRequest"
        name = reason or GRAPH_CODES.get(status, fallback)
        failure = errors.GraphError(status, name, MESSAGES.get(name, name))
    return FaultAnswer(failure.body(), failure.headers)
