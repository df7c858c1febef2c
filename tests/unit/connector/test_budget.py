"""The per-account request budget: bursts up to the limit, then the refill rate."""

from __future__ import annotations

import pytest

from services.connector.domain.budget import RequestBudget


def test_a_burst_up_to_the_limit_waits_nothing_then_the_rate_applies() -> None:
    budget = RequestBudget(per_minute=600)
    assert all(budget.reserve("grant", 0.0) == 0.0 for _ in range(600))
    assert budget.reserve("grant", 0.0) == pytest.approx(0.1)  # 600/min: one per 100 ms
    assert budget.reserve("grant", 0.0) == pytest.approx(0.2)
    assert budget.reserve("other", 0.0) == 0.0  # accounts do not share a budget


def test_the_budget_refills_with_time() -> None:
    budget = RequestBudget(per_minute=60)
    for _ in range(60):
        budget.reserve("grant", 0.0)
    assert budget.reserve("grant", 0.0) == pytest.approx(1.0)
    assert budget.reserve("grant", 10.0) == 0.0  # ten seconds later: ten requests back


def test_idle_accounts_are_forgotten() -> None:
    budget = RequestBudget(per_minute=60)
    budget.reserve("idle", 0.0)
    budget.reserve("busy", 100.0)
    assert set(budget._buckets) == {"busy"}
