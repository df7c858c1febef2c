"""Percentiles of latency samples."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def summarize(samples_seconds: list[float]) -> Summary:
    ordered = sorted(samples_seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Summary(
        count=len(ordered),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(p99 * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
    )
