"""Backoff delays: exponential, jittered within ±20%, never past the cap."""

from __future__ import annotations

import pytest

from services.connector.domain.backoff import connect_delay, delay_seconds, resync_delay


@pytest.mark.parametrize(("attempt", "nominal"), [(1, 0.5), (2, 1.0), (3, 2.0)])
@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999])
def test_connect_delays_are_short_and_doubling(attempt: int, nominal: float, jitter: float) -> None:
    assert nominal * 0.8 <= connect_delay(attempt, jitter) <= nominal * 1.2


@pytest.mark.parametrize("failures", [1, 2, 5, 10, 50, 1000])
@pytest.mark.parametrize("jitter", [0.0, 0.999])
def test_resync_delay_is_capped_at_five_minutes(failures: int, jitter: float) -> None:
    delay = resync_delay(failures, jitter).total_seconds()
    assert 4.0 <= delay <= 300.0


def test_resync_delay_grows() -> None:
    delays = [resync_delay(n, 0.5).total_seconds() for n in range(1, 8)]
    assert delays == sorted(delays)
    assert delays[0] == pytest.approx(5.0)


def test_jitter_spreads_delays() -> None:
    assert delay_seconds(3, 1.0, 100.0, 0.0) < delay_seconds(3, 1.0, 100.0, 0.999)
