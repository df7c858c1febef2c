"""Injected faults: rules that make matching provider requests fail or slow down, and per-provider
budgets of push notifications to drop. `FaultRules` implements `sandbox.world.FaultInjector`; the
middleware in `sandbox.traffic` applies the rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Google's error envelope (providers.md §1.10):
# https://developers.google.com/calendar/api/guides/errors
GOOGLE_DEFAULT_REASONS: dict[int, str] = {
    400: "badRequest",
    401: "authError",
    403: "rateLimitExceeded",
    404: "notFound",
    409: "conflict",
    410: "deleted",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
}
GOOGLE_MESSAGES: dict[str, str] = {
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "quotaExceeded": "Calendar usage limits exceeded.",
    "backendError": "Backend Error",
    "authError": "Invalid Credentials",
    "notFound": "Not Found",
    "badRequest": "Bad Request",
    "conflict": "Conflict",
    "deleted": "Resource has been deleted",
    "conditionNotMet": "Precondition Failed",
}
USAGE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


def google_error_body(status: int, reason: str | None, path: str = "") -> dict[str, Any]:
    """`{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}` for the API;
    OAuth's `{"error", "error_description"}` for the token endpoints (`/oauth2/…`)."""
    reason = reason or GOOGLE_DEFAULT_REASONS.get(status, "backendError")
    message = GOOGLE_MESSAGES.get(reason, reason)
    if path.startswith(("/oauth2/", "/o/oauth2/")):
        code = "invalid_request" if status < 500 and status != 429 else "temporarily_unavailable"
        return {"error": code, "error_description": message}
    domain = "usageLimits" if reason in USAGE_LIMIT_REASONS else "global"
    detail: dict[str, str] = {"domain": domain, "reason": reason, "message": message}
    error: dict[str, Any] = {"code": status, "message": message, "errors": [detail]}
    if status == 401:  # as a real expired or wrong token answers
        detail.update(location="Authorization", locationType="header")
        error["status"] = "UNAUTHENTICATED"
    return {"error": error}


def fault_headers(provider: str, status: int, path: str) -> dict[str, str]:
    if provider == "google" and status == 401 and not path.startswith(("/oauth2/", "/o/oauth2/")):
        return {
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        }
    return {}


ErrorBody = Callable[[int, str | None, str], dict[str, Any]]

# Part 2 adds Microsoft Graph's and Zoom's shapes; until then every provider answers like Google.
ERROR_BODIES: dict[str, ErrorBody] = {"google": google_error_body}


def error_body(provider: str, status: int, reason: str | None, path: str = "") -> dict[str, Any]:
    return ERROR_BODIES.get(provider, google_error_body)(status, reason, path)


@dataclass
class FaultRule:
    """Affects the next `remaining` requests of `provider` under `path` (None: every path).

    `path` is provider-relative (`/calendar/v3/calendars/primary/events`) and matches itself and
    everything below it, segment by segment; a `*` segment matches any one segment.
    """

    id: int
    provider: str
    path: str | None
    status: int  # 0: no error, only the added latency
    reason: str | None
    remaining: int
    retry_after: int | None
    latency_ms: int

    def matches(self, provider: str, path: str) -> bool:
        if provider != self.provider:
            return False
        if self.path is None:
            return True
        wanted, actual = segments(self.path), segments(path)
        if len(actual) < len(wanted):
            return False
        return all(w in ("*", a) for w, a in zip(wanted, actual, strict=False))


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def relative_path(provider: str, path: str) -> str:
    """Accept `/google/calendar/v3/…` as well as `/calendar/v3/…` in a rule."""
    prefix = f"/{provider}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return path


class FaultRules:
    """The live fault rules and push-drop budgets; the first-added matching rule applies."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._push_drops: dict[str, int] = {}
        self._next_id = 1

    def add_rule(
        self,
        provider: str,
        *,
        path: str | None,
        status: int,
        reason: str | None,
        count: int,
        retry_after: int | None,
        latency_ms: int,
    ) -> FaultRule:
        rule_path = None if path is None else relative_path(provider, path)
        rule = FaultRule(
            self._next_id, provider, rule_path, status, reason, count, retry_after, latency_ms
        )
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def add_push_drops(self, provider: str, count: int) -> None:
        self._push_drops[provider] = self._push_drops.get(provider, 0) + count

    def clear(self) -> None:
        self._rules.clear()
        self._push_drops.clear()

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def push_drops(self, provider: str) -> int:
        return self._push_drops.get(provider, 0)

    def take(self, provider: str, path: str) -> FaultRule | None:
        """The first live rule matching this request, with one use consumed; spent rules go."""
        for rule in self._rules:
            if rule.matches(provider, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def take_push_drop(self, provider: str) -> bool:
        """`FaultInjector`: True (and one less to drop) while the provider's budget lasts."""
        left = self._push_drops.get(provider, 0)
        if left <= 0:
            return False
        self._push_drops[provider] = left - 1
        return True
