"""The guards on expanding a series: refused rules, the instance cap and the CPU budget. A
refused series raises `SeriesRefused` with the reason its sync issue records."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from services.syncer.domain.errors import MappingError, SeriesRefused
from services.syncer.domain.series_guards import ExpansionLimits
from services.syncer.domain.window import Window
from tests.unit.syncer.samples import map_text, vcalendar

MARCH = Window(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))


def expand(rule: str, limits: ExpansionLimits | None = None) -> int:
    body = f"UID:g\nDTSTART:20240304T090000Z\nDURATION:PT30M\nRRULE:{rule}"
    events = map_text(vcalendar(body), window=MARCH, limits=limits or ExpansionLimits())
    return len(events)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;INTERVAL=0", "invalid_interval"),
        ("FREQ=WEEKLY;INTERVAL=-2", "invalid_interval"),
        ("FREQ=MINUTELY", "unsupported_frequency"),
        ("FREQ=SECONDLY;COUNT=5", "unsupported_frequency"),
        ("freq=minutely;interval=30", "unsupported_frequency"),
    ],
)
def test_explosive_rules_are_refused_before_expanding(rule: str, reason: str) -> None:
    with pytest.raises(SeriesRefused) as refused:
        expand(rule)
    assert refused.value.reason == reason


def test_a_refused_rule_refuses_its_whole_object() -> None:
    data = vcalendar(
        "UID:fine\nDTSTART:20240305T090000Z",
        "UID:bad\nDTSTART:20240305T090000Z\nRRULE:FREQ=DAILY;INTERVAL=0",
    )
    with pytest.raises(SeriesRefused):
        map_text(data, window=MARCH)


def test_hourly_series_are_expanded() -> None:
    assert expand("FREQ=HOURLY;COUNT=5") == 5


def test_the_instance_cap_counts_instances_in_the_window() -> None:
    # 28 daily instances from 4 March in the March window; a cap of 28 lets them all through.
    assert expand("FREQ=DAILY", ExpansionLimits(max_instances=28)) == 28
    with pytest.raises(SeriesRefused) as refused:
        expand("FREQ=DAILY", ExpansionLimits(max_instances=27))
    assert refused.value.reason == "too_many_instances"
    assert "27" in str(refused.value)


def test_the_default_cap_of_1000_instances() -> None:
    assert expand("FREQ=HOURLY") == 27 * 24 + 15  # hourly from 4 March 09:00: within the cap
    with pytest.raises(SeriesRefused) as refused:
        expand("FREQ=HOURLY;BYMINUTE=0,30")  # twice an hour: 1,326
    assert refused.value.reason == "too_many_instances"


def test_an_expansion_over_its_cpu_budget_is_refused() -> None:
    ticks = itertools.count()
    limits = ExpansionLimits(cpu_seconds=0.5, clock=lambda: float(next(ticks)))
    with pytest.raises(SeriesRefused) as refused:
        expand("FREQ=DAILY;COUNT=3", limits)
    assert refused.value.reason == "too_costly"


def test_a_rule_that_never_matches_is_stopped_by_the_budget() -> None:
    """dateutil would walk every day until the year 9999 (seconds) looking for 30 February."""
    limits = ExpansionLimits(cpu_seconds=0.05)
    started = datetime.now(UTC)
    with pytest.raises(SeriesRefused) as refused:
        expand("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", limits)
    assert refused.value.reason == "too_costly"
    assert (datetime.now(UTC) - started).total_seconds() < 1


def test_an_unreadable_rule_is_bad_data_not_a_refusal() -> None:
    with pytest.raises(MappingError) as error:
        expand("FREQ=BOGUS")
    assert not isinstance(error.value, SeriesRefused)
    assert error.value.reason == "unmappable"
