"""A Graph delta round: rows upserted by id, removals, masters kept back, sparse occurrences
merged onto their master (from the round, else fetched, else gone with it)."""

from __future__ import annotations

from typing import Any

from services.connector.domain.graph_delta import DeltaRound, is_sparse, merge_occurrence

MASTER = {
    "@odata.type": "#microsoft.graph.event",
    "@odata.etag": 'W/"m1"',
    "id": "M",
    "type": "seriesMaster",
    "subject": "Weekly",
    "iCalUId": "uid-series",
    "recurrence": {"pattern": {"type": "weekly"}},
    "webLink": "https://outlook.office365.com/owa/?itemid=M",
    "start": {"dateTime": "2030-01-07T10:00:00.0000000", "timeZone": "UTC"},
    "end": {"dateTime": "2030-01-07T11:00:00.0000000", "timeZone": "UTC"},
}


def _sparse(event_id: str, master: str = "M", day: int = 14) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": 'W/"m1"',
        "id": event_id,
        "type": "occurrence",
        "seriesMasterId": master,
        "start": {"dateTime": f"2030-01-{day}T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"2030-01-{day}T11:00:00.0000000", "timeZone": "UTC"},
    }


def _removed(event_id: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.event",
        "id": event_id,
        "@removed": {"reason": "deleted"},
    }


def test_a_sparse_occurrence_takes_its_master_properties_under_its_own_ids_and_times() -> None:
    merged = merge_occurrence(MASTER, _sparse("O1"))
    assert merged["id"] == "O1" and merged["type"] == "occurrence"
    assert merged["seriesMasterId"] == "M" and merged["subject"] == "Weekly"
    assert merged["start"]["dateTime"].startswith("2030-01-14")
    assert "recurrence" not in merged and "webLink" not in merged
    assert is_sparse(_sparse("O1")) and not is_sparse(merged)


def test_masters_in_the_round_complete_occurrences_and_are_not_published() -> None:
    delta = DeltaRound()
    delta.add([MASTER, _sparse("O1"), _sparse("O2", day=21)])
    assert delta.masters_to_fetch() == set()
    found = delta.events({})
    assert [e["id"] for e in found.events] == ["O1", "O2"]
    assert all(e["subject"] == "Weekly" for e in found.events)
    assert found.removed == ()


def test_a_missing_master_is_fetched_and_a_gone_one_takes_its_occurrences() -> None:
    delta = DeltaRound()
    delta.add([_sparse("O1"), _sparse("X1", master="X")])
    assert delta.masters_to_fetch() == {"M", "X"}
    found = delta.events({"M": MASTER, "X": None})
    assert [e["id"] for e in found.events] == ["O1"] and found.removed == ("X1",)


def test_a_removed_master_is_not_fetched_and_its_occurrences_go() -> None:
    delta = DeltaRound()
    delta.add([_removed("M"), _sparse("O1")])
    assert delta.masters_to_fetch() == set()
    assert delta.events({}).removed == ("M", "O1")


def test_the_last_row_of_an_id_wins_across_pages() -> None:
    single = {"id": "S", "type": "singleInstance", "subject": "v1"}
    delta = DeltaRound()
    delta.add([single, {"id": "G", "type": "singleInstance"}])
    delta.add([_removed("G"), {**single, "subject": "v2"}, "junk", {"no": "id"}])
    found = delta.events({})
    assert [e["subject"] for e in found.events] == ["v2"] and found.removed == ("G",)
