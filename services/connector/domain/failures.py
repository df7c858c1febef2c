"""What a failed sync means for the connection: disconnect it, or try again later.

Credential and calendar problems need a person (a new command); an unreachable server is
retried a few times while connecting, and indefinitely (with backoff) once connected; a provider
asking to slow down (throttled) is retried after its `Retry-After`, never disconnected.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.connector.domain import backoff
from shared.contracts.calendars import ConnectionFailure


class FailureKind(enum.Enum):
    INVALID_CREDENTIALS = "invalid_credentials"
    UNREACHABLE = "unreachable"
    CALENDAR_NOT_FOUND = "calendar_not_found"
    URL_NOT_ALLOWED = "url_not_allowed"
    CREDENTIALS_UNAVAILABLE = "credentials_unavailable"
    PROVIDER_ERROR = "provider_error"
    GRANT_REVOKED = "grant_revoked"
    INVALID_CLIENT = "invalid_client"
    INSUFFICIENT_PERMISSIONS = "insufficient_permissions"
    THROTTLED = "throttled"


_MESSAGES = {
    FailureKind.INVALID_CREDENTIALS: "The server rejected the username or password.",
    FailureKind.UNREACHABLE: "The server could not be reached or did not answer in time.",
    FailureKind.CALENDAR_NOT_FOUND: "No matching event calendar was found for this account.",
    FailureKind.URL_NOT_ALLOWED: "The server address is not allowed.",
    FailureKind.CREDENTIALS_UNAVAILABLE: "The stored credentials could not be read.",
    FailureKind.PROVIDER_ERROR: "The server answered with an error.",
    FailureKind.GRANT_REVOKED: (
        "The provider no longer accepts this authorization (revoked or expired): "
        "connect the calendar again with a new grant."
    ),
    FailureKind.INVALID_CLIENT: "The provider rejected the OAuth client id or secret.",
    FailureKind.INSUFFICIENT_PERMISSIONS: (
        "The authorization does not allow reading this account's calendars."
    ),
    FailureKind.THROTTLED: "The provider asked to slow down; the sync is retried later.",
}

RETRYABLE = frozenset({FailureKind.UNREACHABLE, FailureKind.PROVIDER_ERROR})

CONNECT_ATTEMPTS = 3
# A connected calendar retries a transient failure this many times with backoff (about 5 s,
# 10 s, 20 s), then waits for its next poll: an outage never turns into a retry storm.
RESYNC_RETRIES = 3
DEFAULT_POLL_INTERVAL = timedelta(minutes=5)
# A provider's Retry-After is honoured up to this; a longer one waits this long, then asks again.
MAX_RETRY_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Disconnect:
    failure: ConnectionFailure


@dataclass(frozen=True)
class RetryLater:
    delay: timedelta


Decision = Disconnect | RetryLater


def describe(kind: FailureKind) -> str:
    """The fixed, user-facing text for a failure kind."""
    return _MESSAGES[kind]


def failure_of(kind: FailureKind, at: datetime) -> ConnectionFailure:
    """The failure as shown to users: a reason code and a fixed text (never provider output)."""
    return ConnectionFailure(reason=kind.value, message=_MESSAGES[kind], at=at)


def decide(
    kind: FailureKind,
    *,
    connected: bool,
    failures: int,
    now: datetime,
    jitter: float,
    poll_interval: timedelta = DEFAULT_POLL_INTERVAL,
    retry_after: timedelta | None = None,
) -> Decision:
    """Disconnect on anything a retry cannot fix, or when a first connect ran out of attempts;
    a connected calendar retries a few times with backoff, then at its poll interval. A
    throttled calendar (connected or connecting) waits the longer of the provider's
    `retry_after` and a jittered exponential backoff.

    `failures` counts consecutive failed syncs before this one; `jitter` is uniform in [0, 1).
    """
    if kind is FailureKind.THROTTLED:
        asked = min(retry_after or timedelta(0), MAX_RETRY_AFTER)
        return RetryLater(max(asked, backoff.resync_delay(failures + 1, jitter)))
    if kind in RETRYABLE and connected:
        attempt = failures + 1
        if attempt <= RESYNC_RETRIES:
            return RetryLater(backoff.resync_delay(attempt, jitter))
        return RetryLater(poll_interval)
    return Disconnect(failure_of(kind, now))
