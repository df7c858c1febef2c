"""Push hints per calendar: one now, one trailing, none lost."""

from __future__ import annotations

from services.gateway.domain.hint_coalescing import HintCoalescer


def test_a_flood_is_one_hint_now_and_one_at_the_end_of_the_window() -> None:
    coalescer = HintCoalescer(window=5.0)
    assert coalescer.offer("cal_1", 100.0) == "publish"
    assert coalescer.offer("cal_1", 100.1) == "schedule"
    assert coalescer.due("cal_1") == 105.0
    assert [coalescer.offer("cal_1", 100.2 + i / 100) for i in range(98)] == ["covered"] * 98
    assert coalescer.offer("cal_2", 100.3) == "publish"  # calendars are independent
    coalescer.published_trailing("cal_1", 105.0)
    assert coalescer.offer("cal_1", 106.0) == "schedule"  # a new window began at 105
    coalescer.published_trailing("cal_1", 110.0)
    assert coalescer.offer("cal_1", 116.0) == "publish"  # quiet for a whole window


def test_memory_is_bounded_by_forgetting_quiet_calendars() -> None:
    coalescer = HintCoalescer(window=1.0, max_keys=2)
    assert coalescer.offer("a", 0.0) == "publish"
    assert coalescer.offer("b", 0.5) == "publish"
    assert coalescer.offer("b", 0.6) == "schedule"
    assert coalescer.offer("c", 2.0) == "publish"  # forgets `a`, keeps `b`'s pending trailing
    assert coalescer.offer("b", 2.1) == "covered"
