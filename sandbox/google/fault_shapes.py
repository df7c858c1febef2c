"""How Google answers an injected fault: the Calendar API's error envelope (providers.md §1.10,
https://developers.google.com/calendar/api/guides/errors) or OAuth's `{"error",
"error_description"}` on the token endpoints."""

from __future__ import annotations

from sandbox.google import errors
from sandbox.world import FaultAnswer

DEFAULT_REASONS: dict[int, str] = {
    400: "badRequest",
    403: "rateLimitExceeded",
    404: "notFound",
    409: "conflict",
    410: "deleted",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
}
MESSAGES: dict[str, str] = {
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "quotaExceeded": "Calendar usage limits exceeded.",
    "backendError": "Backend Error",
    "notFound": "Not Found",
    "badRequest": "Bad Request",
    "conflict": "Conflict",
    "deleted": "Resource has been deleted",
    "conditionNotMet": "Precondition Failed",
}
USAGE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
OAUTH_PATHS = ("/oauth2/", "/o/oauth2/")


def google_fault(status: int, reason: str | None, path: str) -> FaultAnswer:
    """Google's answer with `status` at the provider-relative `path`; `reason` picks the error
    reason (default: by status; 5xx `backendError`)."""
    reason = reason or DEFAULT_REASONS.get(status, "backendError")
    message = MESSAGES.get(reason, reason)
    if path.startswith(OAUTH_PATHS):
        code = "invalid_request" if status < 500 and status != 429 else "temporarily_unavailable"
        return FaultAnswer({"error": code, "error_description": message})
    if status == 401:  # exactly what an expired or wrong token gets
        error = errors.auth_error()
    else:
        domain = "usageLimits" if reason in USAGE_LIMIT_REASONS else "global"
        error = errors.GoogleApiError(status, reason, message, domain=domain)
    return FaultAnswer(error.body(), error.headers())
