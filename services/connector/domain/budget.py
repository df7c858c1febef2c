"""Per-account request budgets: a token bucket per grant, so one connector process stays under a
provider's per-user quota (Google: 600 requests per minute per user, providers.md §1.10).

Pure: the caller passes the time and does the waiting. Buckets of accounts idle for a full
refill are forgotten, so the table stays as small as the set of active accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    at: float  # monotonic seconds of the last update


@dataclass
class RequestBudget:
    """`per_minute` requests per key and minute, in bursts of up to `per_minute`."""

    per_minute: int
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    @property
    def _rate(self) -> float:
        return self.per_minute / 60.0

    def reserve(self, key: str, now: float) -> float:
        """Take one request from `key`'s budget; returns how many seconds to wait before sending
        it (0 when within budget). A reservation is kept even when the caller gives up."""
        self._forget_idle(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        refilled = bucket.tokens + (now - bucket.at) * self._rate
        bucket.tokens = min(float(self.per_minute), refilled) - 1.0
        bucket.at = now
        return 0.0 if bucket.tokens >= 0 else -bucket.tokens / self._rate

    def _forget_idle(self, now: float) -> None:
        full_refill = 60.0
        idle = [k for k, b in self._buckets.items() if now - b.at > full_refill and b.tokens >= 0]
        for key in idle:
            del self._buckets[key]
