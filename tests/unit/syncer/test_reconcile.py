"""Page reconciliation: which stored events a page changes, and the versions its changes get."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.syncer.domain.reconcile import (
    StoredEvent,
    gone,
    page_transitions,
    plan_writes,
    unlisted_gone,
)
from tests.unit.syncer.samples import event_state

OVERRIDE_START = datetime(2024, 6, 19, 8, 0, tzinfo=UTC)


def stored(object_id: str, key: str = "", version: int = 1, **fields: object) -> StoredEvent:
    state = event_state(id=f"evt_{object_id}_{key}", provider_event_id=object_id, **fields)
    return StoredEvent(object_id, key, state, version)


def test_mapped_events_pair_with_their_stored_rows_and_missing_overrides_go() -> None:
    master = stored("a")
    override = stored(
        "a", "20240619T080000Z", is_exception=True, original_start_time=OVERRIDE_START
    )
    new_master = master.state.model_copy(update={"title": "Renamed"})
    transitions = page_transitions([master, override], {"a": [new_master]}, [])
    assert [(t.old, t.new) for t in transitions] == [(master, new_master), (override, None)]


def test_new_override_gets_its_recurrence_key() -> None:
    new = event_state(id="evt_b_x", is_exception=True, original_start_time=OVERRIDE_START)
    (transition,) = page_transitions([], {"b": [new]}, [])
    assert (transition.provider_object_id, transition.recurrence_key) == ("b", "20240619T080000Z")
    assert transition.old is None


def test_removed_objects_lose_every_stored_event() -> None:
    rows = [stored("a"), stored("a", "k"), stored("c")]
    transitions = page_transitions(rows, {}, ["a", "a"])
    assert [t.old for t in transitions] == rows[:2]
    assert all(t.new is None for t in transitions)


def test_changes_get_consecutive_versions_and_unchanged_rows_are_not_written() -> None:
    unchanged, edited, deleted = stored("u", version=3), stored("e", version=4), stored("d")
    created = event_state(id="evt_n")
    transitions = [
        *page_transitions(
            [unchanged, edited],
            {
                "u": [unchanged.state],
                "e": [edited.state.model_copy(update={"title": "Edited"})],
                "n": [created],
            },
            [],
        ),
        *gone([deleted]),
    ]
    writes, version = plan_writes(transitions, 10)
    assert version == 13
    assert [(w.state.id, w.version, w.change and w.change.change_type) for w in writes] == [
        ("evt_e_", 11, "updated"),
        ("evt_n", 12, "created"),
        ("evt_d_", 13, "deleted"),
    ]


def test_raw_only_change_is_written_at_the_stored_version_without_announcement() -> None:
    row = stored("a", version=7)
    new = row.state.model_copy(update={"raw": {"format": "ical", "data": "new"}})
    writes, version = plan_writes(page_transitions([row], {"a": [new]}, []), 9)
    assert version == 9
    assert [(w.state, w.version, w.change) for w in writes] == [(new, 7, None)]


def timed(object_id: str, day: int, hour: int, minutes: int = 60, **fields: object) -> StoredEvent:
    start = datetime(2030, 1, day, hour, tzinfo=UTC)
    return stored(
        object_id, start_time=start, end_time=start + timedelta(minutes=minutes), **fields
    )


def test_a_full_listing_keeps_one_off_events_that_slid_out_of_the_window() -> None:
    window_start = datetime(2030, 1, 10, tzinfo=UTC)
    slid = timed("old", 9, 9)  # ended at 10:00 the day before the window
    ending_inside = timed("spans", 9, 23, minutes=90)
    old_all_day = stored(
        "day", start_time=date(2030, 1, 9), end_time=date(2030, 1, 10), is_all_day=True
    )
    old_series = timed("series", 1, 9, is_recurring=True)
    inside = timed("inside", 12, 9)

    rows = [slid, ending_inside, old_all_day, old_series, inside]
    gone_ids = {t.provider_object_id for t in unlisted_gone(rows, window_start)}
    assert gone_ids == {"spans", "series", "inside"}
    assert {t.provider_object_id for t in unlisted_gone(rows, None)} == {
        r.provider_object_id for r in rows
    }


def test_a_full_listing_keeps_instances_and_overrides_that_ended_before_the_window() -> None:
    """Google lists instances as their own objects and never returns those before `timeMin`;
    an override's times are its own too. Only a series master's times say nothing of its end."""
    window_start = datetime(2030, 1, 10, tzinfo=UTC)
    instance = timed(
        "inst",
        8,
        9,
        is_recurring=True,
        series_id="ser_1",
        original_start_time=datetime(2030, 1, 8, 9, tzinfo=UTC),
    )
    moved = timed(
        "moved",
        7,
        9,
        is_recurring=True,
        is_exception=True,
        original_start_time=datetime(2030, 1, 6, 9, tzinfo=UTC),
    )
    master = timed("master", 1, 9, is_recurring=True)
    instance_inside = timed(
        "later",
        12,
        9,
        is_recurring=True,
        original_start_time=datetime(2030, 1, 12, 9, tzinfo=UTC),
    )

    gone_ids = {
        t.provider_object_id
        for t in unlisted_gone([instance, moved, master, instance_inside], window_start)
    }
    assert gone_ids == {"master", "later"}


def test_an_event_id_coming_back_under_another_object_updates_its_row() -> None:
    """A retimed Google series gives its instances new object ids (the original start is in
    them); the event id, from the series and the original date, moves with the instance."""
    row = stored("weekly_20300121T090000Z", is_recurring=True, original_start_time=OVERRIDE_START)
    retimed = row.state.model_copy(update={"start_time": OVERRIDE_START.replace(hour=9)})
    transitions = page_transitions(
        [row], {"weekly_20300121T100000Z": [retimed]}, [row.provider_object_id]
    )
    assert [(t.provider_object_id, t.old, t.new) for t in transitions] == [
        ("weekly_20300121T100000Z", row, retimed)
    ]
    writes, _ = plan_writes(transitions, 1)
    assert [w.change and w.change.change_type for w in writes] == ["updated"]


def test_an_id_claimed_by_two_objects_of_a_page_goes_to_the_first() -> None:
    first, second = event_state(id="evt_x", title="First"), event_state(id="evt_x", title="Second")
    transitions = page_transitions([], {"a": [first], "b": [second]}, [])
    assert [(t.provider_object_id, t.new) for t in transitions] == [("a", first)]


def instance_row(day: int) -> StoredEvent:
    """A stored 09:00-10:00 instance of series object `s` on the day of January 2030."""
    start = datetime(2030, 1, day, 9, tzinfo=UTC)
    key = start.strftime("%Y%m%dT%H%M%SZ")
    return stored(
        "s",
        key,
        is_recurring=True,
        original_start_time=start,
        start_time=start,
        end_time=start + timedelta(hours=1),
    )


def test_an_instance_its_series_no_longer_yields_goes_unless_it_slid_out_of_the_window() -> None:
    window_start = datetime(2030, 1, 10, tzinfo=UTC)
    past, excluded, kept = instance_row(8), instance_row(12), instance_row(14)
    transitions = page_transitions([past, excluded, kept], {"s": [kept.state]}, [], window_start)
    assert [(t.old, t.new) for t in transitions] == [(kept, kept.state), (excluded, None)]


def test_a_series_master_stored_before_expansion_goes_once_its_object_is_listed_again() -> None:
    """Series used to be stored as their master (times of the first occurrence) and overrides;
    listed again, the object yields instances and its master row is deleted, however old."""
    window_start = datetime(2030, 1, 10, tzinfo=UTC)
    master = timed("s", 1, 9, is_recurring=True)
    instance = event_state(id="evt_new", is_recurring=True, original_start_time=OVERRIDE_START)
    transitions = page_transitions([master], {"s": [instance]}, [], window_start)
    assert [(t.old, t.new) for t in transitions] == [(None, instance), (master, None)]
