"""Token buckets: a burst, then the steady rate, and the wait until the next token."""

from __future__ import annotations

from services.gateway.domain.rate_limit import RateLimiter


def test_a_burst_then_the_steady_rate() -> None:
    limiter = RateLimiter(rate=10, burst=3)
    assert [limiter.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert abs(limiter.take("k", 0.0) - 0.1) < 1e-9
    assert limiter.take("k", 0.1) == 0.0  # one token refilled after 1/rate seconds
    assert limiter.take("other", 0.1) == 0.0  # keys do not share a bucket


def test_memory_stays_bounded() -> None:
    limiter = RateLimiter(rate=1, burst=1, max_keys=10)
    for n in range(100):
        limiter.take(f"k{n}", float(n))
    assert len(limiter._buckets) <= 10
