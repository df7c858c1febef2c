"""A full sync lists every event that existed when it began, as it is now, even when events
change while the client pages (providers.md §1.4); the changes come again with the sync token."""

from __future__ import annotations

import pytest

from tests.sandbox.google.conftest import Sandbox, add_events, events_url, insert, list_all, timed


async def test_changes_during_pagination_show_up_in_the_next_incremental_sync(
    sandbox: Sandbox,
) -> None:
    _, headers = sandbox.account("ada@example.com")
    created = await add_events(sandbox, headers, 4)
    first = (
        await sandbox.client.get(events_url(), params={"maxResults": 2}, headers=headers)
    ).json()
    late = await insert(sandbox, headers, timed("2030-03-01T10:00:00Z", "2030-03-01T11:00:00Z"))
    unseen = next(e for e in created if e["id"] not in {i["id"] for i in first["items"]})
    await sandbox.client.patch(
        f"{events_url()}/{unseen['id']}", json={"summary": "edited"}, headers=headers
    )
    rest, pages = await list_all(sandbox, headers, maxResults=2, pageToken=first["nextPageToken"])
    listed = {i["id"]: i for i in [*first["items"], *rest]}
    assert set(listed) >= {e["id"] for e in created}  # the edited one too, as it is now
    assert listed[unseen["id"]]["summary"] == "edited"
    assert len(first["items"]) + len(rest) == len(listed)  # nothing twice
    token = pages[-1]["nextSyncToken"]
    changes, _ = await list_all(sandbox, headers, syncToken=token)
    assert {c["id"] for c in changes} == {late["id"], unseen["id"]}
    assert {c["id"]: c for c in changes}[unseen["id"]]["summary"] == "edited"


@pytest.mark.parametrize("single_events", ["true", "false"])
async def test_a_series_edited_while_paging_is_still_listed_in_full(
    sandbox: Sandbox, single_events: str
) -> None:
    _, headers = sandbox.account("ada@example.com")
    created = await add_events(sandbox, headers, 3)
    weekly = timed(
        "2030-01-08T10:00:00",
        "2030-01-08T11:00:00",
        "Europe/Berlin",
        summary="weekly",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    master = await insert(sandbox, headers, weekly)
    params = {"maxResults": 2, "singleEvents": single_events}
    first = (await sandbox.client.get(events_url(), params=params, headers=headers)).json()
    assert master["id"] not in {i.get("recurringEventId", i["id"]) for i in first["items"]}
    for event in (master, created[-1]):
        edited = await sandbox.client.patch(
            f"{events_url()}/{event['id']}", json={"summary": "edited"}, headers=headers
        )
        assert edited.status_code == 200
    rest, _ = await list_all(sandbox, headers, **params, pageToken=first["nextPageToken"])
    items = [*first["items"], *rest]
    ids = [i["id"] for i in items]
    expected = {e["id"] for e in created}
    if single_events == "true":
        expected |= {
            f"{master['id']}_{day}T090000Z" for day in ("20300108", "20300115", "20300122")
        }
    else:
        expected.add(master["id"])
    assert sorted(ids) == sorted(expected)
    by_id = {i["id"]: i for i in items}
    assert by_id[created[-1]["id"]]["summary"] == "edited"
    series_items = [i for i in items if i["id"] not in {e["id"] for e in created}]
    assert {i["summary"] for i in series_items} == {"edited"}
