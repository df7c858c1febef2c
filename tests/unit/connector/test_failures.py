"""Failure classification: provider exceptions → typed errors → disconnect or retry later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from caldav.lib import error
from caldav.lib.http_sync import requests as http

from services.connector.domain.failures import (
    Disconnect,
    FailureKind,
    RetryLater,
    decide,
)
from services.connector.providers import base
from services.connector.providers.dav import provider_error
from services.connector.providers.guarded_http import DeadlineExceeded, ResponseTooLarge
from services.connector.ssrf import UnresolvableHost, UnsafeUrl

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (error.AuthorizationError(status=401), base.InvalidCredentials),
        (error.AuthorizationError(status=403), base.ProviderError),  # not at login: retried
        (error.RateLimitError(status=429, retry_after_seconds=30.0), base.ProviderThrottled),
        (error.RateLimitError(status=503, retry_after_seconds=5.0), base.ProviderThrottled),
        (
            error.AuthorizationError(status=403, preconditions=["{DAV:}valid-sync-token"]),
            base.InvalidSyncCursor,
        ),
        (
            error.ReportError(status=412, preconditions=["{DAV:}valid-sync-token"]),
            base.InvalidSyncCursor,
        ),
        (error.NotFoundError(status=404), base.CalendarNotFound),
        (error.ReportError(status=502), base.ProviderUnavailable),
        (error.PropfindError(status=503), base.ProviderUnavailable),
        (error.ReportError(status=400), base.ProviderError),
        (http.exceptions.ConnectionError("refused"), base.ServerUnreachable),
        (http.exceptions.ReadTimeout("slow"), base.ProviderUnavailable),
        (http.exceptions.ConnectTimeout("slow"), base.ProviderUnavailable),
        (ConnectionRefusedError(), base.ServerUnreachable),
        (UnresolvableHost("no such host"), base.ServerUnreachable),
        (DeadlineExceeded("drip"), base.ProviderUnavailable),
        (ResponseTooLarge("huge"), base.ProviderError),
        (UnsafeUrl("private"), base.UrlNotAllowed),
    ],
)
def test_caldav_exceptions_map_to_provider_errors(
    exc: Exception, expected: type[base.ProviderError]
) -> None:
    assert type(provider_error(exc)) is expected


def test_refusals_at_login_are_invalid_credentials_and_throttling_keeps_retry_after() -> None:
    refused = provider_error(error.AuthorizationError(status=403), login=True)
    assert type(refused) is base.InvalidCredentials
    throttled = provider_error(error.RateLimitError(status=429, retry_after_seconds=42.0))
    assert isinstance(throttled, base.ProviderThrottled) and throttled.retry_after == 42.0


def test_provider_error_texts_never_quote_the_exception() -> None:
    translated = provider_error(http.exceptions.ConnectionError("http://x/?password=hunter2"))
    assert "hunter2" not in str(translated)


@pytest.mark.parametrize(
    "kind",
    [
        FailureKind.INVALID_CREDENTIALS,
        FailureKind.CALENDAR_NOT_FOUND,
        FailureKind.URL_NOT_ALLOWED,
        FailureKind.CREDENTIALS_UNAVAILABLE,
    ],
)
@pytest.mark.parametrize("connected", [True, False])
def test_what_a_retry_cannot_fix_disconnects(kind: FailureKind, connected: bool) -> None:
    decision = decide(kind, connected=connected, failures=0, now=NOW, jitter=0.5)
    assert isinstance(decision, Disconnect)
    assert decision.failure.reason == kind.value
    assert decision.failure.at == NOW


@pytest.mark.parametrize("kind", [FailureKind.UNREACHABLE, FailureKind.PROVIDER_ERROR])
def test_a_first_connect_that_ran_out_of_attempts_disconnects(kind: FailureKind) -> None:
    decision = decide(kind, connected=False, failures=0, now=NOW, jitter=0.5)
    assert isinstance(decision, Disconnect)
    assert decision.failure.reason == kind.value


def test_a_connected_calendar_retries_a_few_times_with_backoff_then_waits_for_its_poll() -> None:
    poll = timedelta(minutes=7)
    delays = []
    for failures in range(6):
        decision = decide(
            FailureKind.UNREACHABLE,
            connected=True,
            failures=failures,
            now=NOW,
            jitter=0.5,
            poll_interval=poll,
        )
        assert isinstance(decision, RetryLater)
        delays.append(decision.delay)
    assert delays[0] < delays[1] < delays[2] < timedelta(seconds=30)
    assert delays[3:] == [poll, poll, poll]


def test_retry_delays_are_spread_by_jitter() -> None:
    low = decide(FailureKind.UNREACHABLE, connected=True, failures=1, now=NOW, jitter=0.0)
    high = decide(FailureKind.UNREACHABLE, connected=True, failures=1, now=NOW, jitter=0.99)
    assert isinstance(low, RetryLater) and isinstance(high, RetryLater)
    assert low.delay < high.delay


def test_failure_messages_are_fixed_human_texts() -> None:
    decision = decide(
        FailureKind.INVALID_CREDENTIALS, connected=False, failures=0, now=NOW, jitter=0
    )
    assert isinstance(decision, Disconnect)
    assert decision.failure.message == "The server rejected the username or password."


@pytest.mark.parametrize("connected", [True, False])
def test_throttling_never_disconnects_and_honours_retry_after(connected: bool) -> None:
    asked = decide(
        FailureKind.THROTTLED,
        connected=connected,
        failures=0,
        now=NOW,
        jitter=0.5,
        retry_after=timedelta(seconds=90),
    )
    assert asked == RetryLater(timedelta(seconds=90))
    backoff_wins = decide(
        FailureKind.THROTTLED,
        connected=connected,
        failures=5,
        now=NOW,
        jitter=0.5,
        retry_after=timedelta(seconds=1),
    )
    assert isinstance(backoff_wins, RetryLater) and backoff_wins.delay > timedelta(seconds=60)
    capped = decide(
        FailureKind.THROTTLED,
        connected=connected,
        failures=0,
        now=NOW,
        jitter=0.5,
        retry_after=timedelta(days=2),
    )
    assert capped == RetryLater(timedelta(hours=1))


def test_a_dead_oauth_grant_disconnects_with_a_fixed_text() -> None:
    decision = decide(FailureKind.GRANT_REVOKED, connected=True, failures=0, now=NOW, jitter=0)
    assert isinstance(decision, Disconnect)
    assert decision.failure.reason == "grant_revoked"
    assert "new grant" in decision.failure.message
