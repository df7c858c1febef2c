"""How Google's error answers translate into failure classes (providers.md §1.10)."""

from __future__ import annotations

import json

import httpx
import pytest

from services.connector.providers.base import (
    CalendarNotFound,
    InsufficientPermissions,
    InvalidSyncCursor,
    ProviderError,
    ProviderThrottled,
)
from services.connector.providers.google_api import translate_error
from services.connector.providers.json_http import Answer


def answer(status: int, reason: str | None = None, domain: str = "global") -> Answer:
    errors = [{"domain": domain, "reason": reason, "message": "x"}] if reason else []
    body = {"error": {"code": status, "message": "x", "errors": errors}}
    return Answer(status, httpx.Headers({"Retry-After": "7"}), json.dumps(body).encode())


@pytest.mark.parametrize(
    ("status", "reason", "domain", "expected"),
    [
        (403, "rateLimitExceeded", "usageLimits", ProviderThrottled),
        (403, "userRateLimitExceeded", "usageLimits", ProviderThrottled),
        (403, "dailyLimitExceeded", "usageLimits", ProviderThrottled),  # a project-wide quota
        (403, "limitExceeded", "usageLimits", ProviderThrottled),
        (403, "insufficientPermissions", "global", InsufficientPermissions),
        (404, "notFound", "global", CalendarNotFound),
        (410, "fullSyncRequired", "calendar", InvalidSyncCursor),
        (500, "backendError", "global", ProviderError),
    ],
)
def test_google_errors(status: int, reason: str, domain: str, expected: type[Exception]) -> None:
    error = translate_error(answer(status, reason, domain))
    assert type(error) is expected
    if isinstance(error, ProviderThrottled):
        assert error.retry_after == 7
