"""Run a computation within a CPU budget, interrupting it wherever it is.

A recurrence rule that can never match (`FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`) or that starts
centuries ago makes dateutil iterate for seconds inside one loop that yields nothing, so a
check between results would never run. A profile hook (`sys.setprofile`, this thread only)
sees every function call that loop makes and stops it once the thread's CPU time is spent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
Clock = Callable[[], float]
_CHECK_EVERY = 256  # calls between two clock reads


class BudgetExceeded(Exception):
    """Raised when the computation spent its CPU budget (it was interrupted)."""


class _Interrupt(BaseException):
    """Raised inside the computation: a BaseException, so no `except Exception` on the way
    out swallows it (the hook is gone once it has raised)."""


def run_within(seconds: float, compute: Callable[[], T], clock: Clock = time.thread_time) -> T:
    """`compute()`, or `BudgetExceeded` once it used more than `seconds` of `clock`.
    Another profiler of this thread is suspended meanwhile and restored after."""
    deadline = clock() + seconds
    calls = 0

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        calls += 1
        if calls % _CHECK_EVERY == 0 and clock() > deadline:
            raise _Interrupt

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        return compute()
    except _Interrupt:
        raise BudgetExceeded(f"over its CPU budget of {seconds:g} s") from None
    finally:
        sys.setprofile(previous)
