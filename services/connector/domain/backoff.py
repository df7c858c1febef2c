"""Exponential backoff with jitter: short waits between connect attempts, capped resync delays."""

from __future__ import annotations

from datetime import timedelta

CONNECT_BASE_SECONDS = 0.5
RESYNC_BASE_SECONDS = 5.0
RESYNC_CAP_SECONDS = 300.0
JITTER = 0.2


def delay_seconds(attempt: int, base: float, cap: float, jitter: float) -> float:
    """`base * 2**(attempt-1)` capped at `cap`, spread by ±20% (`jitter` uniform in [0, 1)).

    The spread never pushes the delay past `cap`, so the cap is a hard bound.
    """
    nominal = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return min(cap, nominal * (1 - JITTER + 2 * JITTER * jitter))


def connect_delay(attempt: int, jitter: float) -> float:
    """Wait after failed connect attempt `attempt` (1-based): about 0.5 s, 1 s, 2 s."""
    return delay_seconds(attempt, CONNECT_BASE_SECONDS, 4 * CONNECT_BASE_SECONDS, jitter)


def resync_delay(failures: int, jitter: float) -> timedelta:
    """When to retry a connected calendar after `failures` consecutive failures (≤ 5 min)."""
    seconds = delay_seconds(failures, RESYNC_BASE_SECONDS, RESYNC_CAP_SECONDS, jitter)
    return timedelta(seconds=seconds)
