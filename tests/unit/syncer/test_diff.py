"""Event diffs: created, updated, cancelled, deleted, and raw-only (no change)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.syncer.domain.diff import diff_event, raw_differs
from tests.unit.syncer.samples import event_state


def test_new_event_is_created() -> None:
    new = event_state()
    change = diff_event(None, new)
    assert change is not None
    assert (change.change_type, change.event, change.changed_fields, change.previous) == (
        "created",
        new,
        (),
        {},
    )


def test_event_reappearing_after_deletion_is_created() -> None:
    change = diff_event(event_state(is_deleted=True), event_state(title="Back"))
    assert change is not None and change.change_type == "created"


def test_identical_event_is_no_change() -> None:
    assert diff_event(event_state(), event_state()) is None


def test_changed_fields_are_sorted_with_previous_values_in_json_form() -> None:
    old = event_state()
    new = event_state(
        title="Planning v2",
        start_time=datetime(2024, 6, 12, 9, 0, tzinfo=UTC),
        location="Room 2",
    )
    change = diff_event(old, new)
    assert change is not None
    assert change.change_type == "updated"
    assert change.event == new
    assert change.changed_fields == ("location", "start_time", "title")
    assert change.previous == {
        "location": None,
        "start_time": "2024-06-12T08:00:00Z",
        "title": "Planning",
    }


def test_status_turning_cancelled_is_a_cancellation() -> None:
    change = diff_event(event_state(), event_state(status="cancelled"))
    assert change is not None
    assert change.change_type == "cancelled"
    assert change.changed_fields == ("status",)
    assert change.previous == {"status": "confirmed"}


def test_change_to_an_already_cancelled_event_is_an_update() -> None:
    change = diff_event(event_state(status="cancelled"), event_state(status="cancelled", title="x"))
    assert change is not None and change.change_type == "updated"


def test_vanished_event_is_deleted() -> None:
    old = event_state()
    change = diff_event(old, None)
    assert change is not None
    assert change.change_type == "deleted"
    assert change.event == old.model_copy(update={"is_deleted": True})
    assert change.changed_fields == ("is_deleted",)
    assert change.previous == {"is_deleted": False}


def test_vanished_tombstone_is_no_change() -> None:
    assert diff_event(event_state(is_deleted=True), None) is None
    assert diff_event(None, None) is None


def test_raw_only_difference_is_no_change() -> None:
    old = event_state()
    new = event_state(raw={"format": "ical", "data": "DTSTAMP moved"}, raw_truncated=True)
    assert diff_event(old, new) is None
    assert raw_differs(old, new)
    assert not raw_differs(old, event_state())
