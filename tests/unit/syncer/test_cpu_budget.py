"""Running a computation within a CPU budget, interrupted wherever it spends the time."""

from __future__ import annotations

import itertools
import sys
import threading
from typing import Any

import pytest

from services.syncer.domain import cpu_budget


def _busy() -> int:
    total = 0
    while True:  # only an interruption ends it
        total += len(str(total))


def test_the_result_of_a_computation_within_budget() -> None:
    assert cpu_budget.run_within(1.0, lambda: sum(range(10))) == 45


def test_a_computation_over_budget_is_interrupted_even_in_a_loop_that_never_yields() -> None:
    ticks = itertools.count()
    with pytest.raises(cpu_budget.BudgetExceeded, match=r"0\.5 s"):
        cpu_budget.run_within(0.5, _busy, lambda: float(next(ticks)))


def test_no_except_exception_on_the_way_swallows_the_interruption() -> None:
    def stubborn() -> int:
        try:
            return _busy()
        except Exception:  # what a library might do
            return -1

    with pytest.raises(cpu_budget.BudgetExceeded):
        cpu_budget.run_within(0.01, stubborn)


def test_its_own_errors_pass_through_and_the_previous_profiler_is_restored() -> None:
    calls: list[str] = []

    def profiler(frame: Any, event: str, arg: Any) -> None:
        calls.append(event)

    def fail() -> None:
        raise KeyError("boom")

    sys.setprofile(profiler)
    try:
        with pytest.raises(KeyError):
            cpu_budget.run_within(1.0, fail)
        assert sys.getprofile() is profiler
    finally:
        sys.setprofile(None)


def test_a_budget_holds_in_a_worker_thread_and_leaves_the_caller_unhooked() -> None:
    """Pages are mapped in a worker thread: the hook and the clock are that thread's own."""
    outcome: list[BaseException | None] = []

    def in_thread() -> None:
        try:
            cpu_budget.run_within(0.05, _busy)
        except cpu_budget.BudgetExceeded as exc:
            outcome.append(exc)
        else:
            outcome.append(None)
        outcome.append(None if sys.getprofile() is None else RuntimeError("hook left"))

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join(timeout=10)
    assert isinstance(outcome[0], cpu_budget.BudgetExceeded) and outcome[1] is None
    assert sys.getprofile() is None  # the calling thread was never hooked
