"""How Zoom answers an injected fault: the API's `{"code", "message"}` body with its rate-limit
headers (https://developers.zoom.us/docs/api/rate-limits/), or the OAuth server's `{"reason",
"error"}` under `/oauth/`."""

from __future__ import annotations

from sandbox.world import FaultAnswer

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)
MESSAGES: dict[int, str] = {
    400: "Bad Request",
    401: "Invalid access token.",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
CODES: dict[int, int] = {401: 124, 400: 300}


def zoom_fault(status: int, reason: str | None, path: str) -> FaultAnswer:
    """Zoom's answer with `status` at the provider-relative `path`. For 429, `reason="daily"`
    gives the daily-limit variant; anything else the per-second one."""
    if path.startswith("/oauth/"):
        error = "too_many_requests" if status == 429 else reason or "server_error"
        if 400 <= status < 500 and status != 429:
            error = reason or "invalid_request"
        return FaultAnswer({"reason": MESSAGES.get(status, "Error"), "error": error})
    if status == 429:
        return _rate_limited(daily=reason == "daily")
    message = MESSAGES.get(status, "Error")
    return FaultAnswer({"code": CODES.get(status, status), "message": message})


def _rate_limited(*, daily: bool) -> FaultAnswer:
    headers = {
        "X-RateLimit-Category": "Medium",
        "X-RateLimit-Type": "Daily-limit" if daily else "QPS",
        "X-RateLimit-Limit": "60000" if daily else "20",
        "X-RateLimit-Remaining": "0",
    }
    return FaultAnswer({"code": 429, "message": DAILY_MESSAGE if daily else QPS_MESSAGE}, headers)
