"""Recurring series (providers.md §1.7): expansion with `singleEvents`, instance ids and
`originalStartTime`, modified and cancelled instances, EXDATE, `events.instances`."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.google.listing import ScanLimits
from tests.sandbox.google.conftest import Sandbox, events_url, insert, list_all, timed

WEEKLY_ACROSS_DST = timed(
    "2030-03-18T10:00:00",
    "2030-03-18T11:00:00",
    "Europe/Berlin",
    summary="Weekly",
    recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
)


async def series(
    sandbox: Sandbox, headers: dict[str, str], body: dict[str, Any] = WEEKLY_ACROSS_DST
) -> dict[str, Any]:
    return await insert(sandbox, headers, body)


async def test_single_events_expand_with_instance_ids_and_original_start(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert [i["id"] for i in items] == [
        f"{master['id']}_20300318T090000Z",
        f"{master['id']}_20300325T090000Z",
        f"{master['id']}_20300401T080000Z",  # wall time stays 10:00 across DST
        f"{master['id']}_20300408T080000Z",
    ]
    third = items[2]
    assert third["recurringEventId"] == master["id"]
    assert third["originalStartTime"] == {
        "dateTime": "2030-04-01T10:00:00+02:00",
        "timeZone": "Europe/Berlin",
    }
    assert third["start"] == third["originalStartTime"]
    assert third["end"] == {"dateTime": "2030-04-01T11:00:00+02:00", "timeZone": "Europe/Berlin"}
    assert third["iCalUID"] == master["iCalUID"]
    assert "recurrence" not in third
    assert third["summary"] == "Weekly"
    masters, _ = await list_all(sandbox, headers)
    assert [(m["id"], m["recurrence"]) for m in masters] == [
        (master["id"], ["RRULE:FREQ=WEEKLY;COUNT=4"])
    ]


async def test_time_window_and_start_time_order_over_instances(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    single = await insert(sandbox, headers, timed("2030-03-26T08:00:00Z", "2030-03-26T09:00:00Z"))
    items, _ = await list_all(
        sandbox,
        headers,
        singleEvents="true",
        orderBy="startTime",
        timeMin="2030-03-20T00:00:00Z",
        timeMax="2030-04-05T00:00:00Z",
    )
    assert [i["id"] for i in items] == [
        f"{master['id']}_20300325T090000Z",
        single["id"],
        f"{master['id']}_20300401T080000Z",
    ]


async def test_all_day_series_and_exdate(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = {
        "start": {"date": "2030-01-07"},
        "end": {"date": "2030-01-08"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=4", "EXDATE;VALUE=DATE:20300108"],
    }
    master = await insert(sandbox, headers, body)
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert [i["id"] for i in items] == [
        f"{master['id']}_20300107",
        f"{master['id']}_20300109",
        f"{master['id']}_20300110",
    ]
    assert items[1]["originalStartTime"] == {"date": "2030-01-09"}
    assert items[1]["end"] == {"date": "2030-01-10"}


async def test_timed_exdate_in_another_zone(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = dict(
        WEEKLY_ACROSS_DST, recurrence=["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20300325T090000Z"]
    )
    master = await series(sandbox, headers, body)
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert f"{master['id']}_20300325T090000Z" not in [i["id"] for i in items]
    assert len(items) == 3


async def test_modifying_an_instance_creates_an_exception(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    instance_id = f"{master['id']}_20300325T090000Z"
    generated = await sandbox.client.get(f"{events_url()}/{instance_id}", headers=headers)
    assert generated.status_code == 200 and generated.json()["recurringEventId"] == master["id"]
    moved = await sandbox.client.patch(
        f"{events_url()}/{instance_id}",
        json={
            "summary": "Moved",
            "start": {"dateTime": "2030-03-26T15:00:00"},
            "end": {"dateTime": "2030-03-26T16:00:00"},
        },
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    exception = moved.json()
    assert exception["id"] == instance_id
    assert exception["recurringEventId"] == master["id"]
    assert exception["originalStartTime"]["dateTime"] == "2030-03-25T10:00:00+01:00"
    assert exception["start"] == {
        "dateTime": "2030-03-26T15:00:00+01:00",
        "timeZone": "Europe/Berlin",
    }
    assert "recurrence" not in exception
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert [(i["id"], i["summary"]) for i in items][1] == (instance_id, "Moved")
    assert len(items) == 4
    stored, _ = await list_all(sandbox, headers)
    assert {s["id"] for s in stored} == {master["id"], instance_id}
    put = await sandbox.client.put(
        f"{events_url()}/{master['id']}_20300401T080000Z",
        json=timed("2030-04-01T12:00:00", "2030-04-01T13:00:00", "Europe/Berlin", summary="Noon"),
        headers=headers,
    )
    assert put.json()["summary"] == "Noon"


async def test_deleting_an_instance_cancels_only_that_instance(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    token = (await list_all(sandbox, headers, singleEvents="true"))[1][-1]["nextSyncToken"]
    stored_token = (await list_all(sandbox, headers))[1][-1]["nextSyncToken"]
    instance_id = f"{master['id']}_20300325T090000Z"
    deleted = await sandbox.client.delete(f"{events_url()}/{instance_id}", headers=headers)
    assert deleted.status_code == 204
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert instance_id not in [i["id"] for i in items] and len(items) == 3
    shown, _ = await list_all(sandbox, headers, singleEvents="true", showDeleted="true")
    assert {i["id"]: i["status"] for i in shown}[instance_id] == "cancelled"
    stub = {
        "kind": "calendar#event",
        "id": instance_id,
        "status": "cancelled",
        "recurringEventId": master["id"],
        "originalStartTime": {"dateTime": "2030-03-25T10:00:00+01:00", "timeZone": "Europe/Berlin"},
    }
    # singleEvents=false full listings keep returning cancelled instances (§1.6).
    stored, _ = await list_all(sandbox, headers)
    cancelled = [s for s in stored if s["id"] == instance_id]
    assert cancelled and {k: v for k, v in cancelled[0].items() if k != "etag"} == stub
    for sync_token, single in ((token, "true"), (stored_token, "false")):
        changes, _ = await list_all(sandbox, headers, syncToken=sync_token, singleEvents=single)
        assert [{k: v for k, v in c.items() if k != "etag"} for c in changes] == [stub]


async def test_instances_endpoint(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    url = f"{events_url()}/{master['id']}/instances"
    first = (await sandbox.client.get(url, params={"maxResults": 3}, headers=headers)).json()
    assert len(first["items"]) == 3 and "nextPageToken" in first
    rest = (
        await sandbox.client.get(
            url, params={"maxResults": 3, "pageToken": first["nextPageToken"]}, headers=headers
        )
    ).json()
    assert [i["id"] for i in rest["items"]] == [f"{master['id']}_20300408T080000Z"]
    assert "nextPageToken" not in rest
    # timeMin is inclusive for instances: an instance ending exactly then is included.
    bounded = (
        await sandbox.client.get(url, params={"timeMin": "2030-04-08T08:00:00Z"}, headers=headers)
    ).json()
    assert len(bounded["items"]) == 1
    one = (
        await sandbox.client.get(
            url, params={"originalStart": "2030-03-25T10:00:00+01:00"}, headers=headers
        )
    ).json()
    assert [i["id"] for i in one["items"]] == [f"{master['id']}_20300325T090000Z"]
    missing = await sandbox.client.get(f"{events_url()}/nosuchmaster/instances", headers=headers)
    assert missing.status_code == 404


async def test_instance_ids_must_name_real_instances(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    for bad in ("20300326T090000Z", "20300325", "junk", "20300325T090000"):
        response = await sandbox.client.get(f"{events_url()}/{master['id']}_{bad}", headers=headers)
        assert response.status_code == 404, bad


async def test_open_ended_series_are_bounded(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = dict(WEEKLY_ACROSS_DST, recurrence=["RRULE:FREQ=WEEKLY"])
    master = await series(sandbox, headers, body)
    everything, _ = await list_all(sandbox, headers, singleEvents="true", maxResults=2500)
    assert 100 <= len(everything) <= 110  # about two years ahead
    window, _ = await list_all(
        sandbox,
        headers,
        singleEvents="true",
        timeMin="2031-01-01T00:00:00Z",
        timeMax="2031-02-01T00:00:00Z",
    )
    assert len(window) in (4, 5)
    far = await sandbox.client.get(
        f"{events_url()}/{master['id']}_20400102T090000Z", headers=headers
    )
    assert far.status_code == 200  # a real instance, however far ahead


async def test_recurrence_validation(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    no_zone = timed("2030-03-18T10:00:00Z", "2030-03-18T11:00:00Z", recurrence=["RRULE:FREQ=DAILY"])
    response = await sandbox.client.post(events_url(), json=no_zone, headers=headers)
    assert response.status_code == 400
    bad_rule = dict(WEEKLY_ACROSS_DST, recurrence=["RRULE:FREQ=SOMETIMES"])
    assert (
        await sandbox.client.post(events_url(), json=bad_rule, headers=headers)
    ).status_code == 400
    bad_line = dict(WEEKLY_ACROSS_DST, recurrence=["DTSTART:20300318T100000"])
    assert (
        await sandbox.client.post(events_url(), json=bad_line, headers=headers)
    ).status_code == 400


async def test_incremental_single_events_after_series_changes(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    token = (await list_all(sandbox, headers, singleEvents="true"))[1][-1]["nextSyncToken"]
    shorter = await sandbox.client.patch(
        f"{events_url()}/{master['id']}",
        json={"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=2"]},
        headers=headers,
    )
    assert shorter.status_code == 200
    changes, pages = await list_all(sandbox, headers, syncToken=token, singleEvents="true")
    assert {c["id"]: c["status"] for c in changes} == {
        f"{master['id']}_20300318T090000Z": "confirmed",
        f"{master['id']}_20300325T090000Z": "confirmed",
        f"{master['id']}_20300401T080000Z": "cancelled",
        f"{master['id']}_20300408T080000Z": "cancelled",
    }
    token = pages[-1]["nextSyncToken"]
    await sandbox.client.delete(f"{events_url()}/{master['id']}", headers=headers)
    gone, _ = await list_all(sandbox, headers, syncToken=token, singleEvents="true")
    assert {c["status"] for c in gone} == {"cancelled"}
    assert f"{master['id']}_20300318T090000Z" in {c["id"] for c in gone}
    assert (await list_all(sandbox, headers, singleEvents="true"))[0] == []
    mismatch = await sandbox.client.get(events_url(), params={"syncToken": token}, headers=headers)
    assert mismatch.status_code == 400  # the token was issued for singleEvents=true


async def test_moving_a_series_cancels_exceptions_of_instances_that_no_longer_exist(
    sandbox: Sandbox,
) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    instance_id = f"{master['id']}_20300325T090000Z"
    await sandbox.client.patch(
        f"{events_url()}/{instance_id}", json={"summary": "x"}, headers=headers
    )
    moved = await sandbox.client.patch(
        f"{events_url()}/{master['id']}",
        json={
            "start": {"dateTime": "2030-03-18T12:00:00"},
            "end": {"dateTime": "2030-03-18T13:00:00"},
        },
        headers=headers,
    )
    assert moved.status_code == 200
    items, _ = await list_all(sandbox, headers, singleEvents="true")
    assert [i["start"]["dateTime"][11:16] for i in items] == ["12:00"] * 4
    assert instance_id not in {i["id"] for i in items}
    stored = (await sandbox.client.get(f"{events_url()}/{instance_id}", headers=headers)).json()
    assert stored["status"] == "cancelled"


@pytest.mark.parametrize("limits", [ScanLimits(factor=1, minimum=2)])
async def test_pages_can_end_inside_a_series(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    single = await insert(sandbox, headers, timed("2030-03-20T08:00:00Z", "2030-03-20T09:00:00Z"))
    items, pages = await list_all(sandbox, headers, singleEvents="true", maxResults=1)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) == 5
    assert single["id"] in ids and all(i.startswith(master["id"]) for i in ids if i != single["id"])
    assert len(pages) >= 5 and "nextSyncToken" in pages[-1]


@pytest.mark.parametrize("limits", [ScanLimits(factor=1, minimum=1)])
async def test_a_series_that_stops_recurring_cancels_its_instances_incrementally(
    sandbox: Sandbox,
) -> None:
    _, headers = sandbox.account("ada@example.com")
    master = await series(sandbox, headers)
    token = (await list_all(sandbox, headers, singleEvents="true"))[1][-1]["nextSyncToken"]
    once = await sandbox.client.patch(
        f"{events_url()}/{master['id']}", json={"recurrence": None}, headers=headers
    )
    assert "recurrence" not in once.json()
    changes, pages = await list_all(
        sandbox, headers, syncToken=token, singleEvents="true", maxResults=1
    )
    assert len(pages) >= 5
    assert {c["id"]: c["status"] for c in changes} == {
        master["id"]: "confirmed",
        f"{master['id']}_20300318T090000Z": "cancelled",
        f"{master['id']}_20300325T090000Z": "cancelled",
        f"{master['id']}_20300401T080000Z": "cancelled",
        f"{master['id']}_20300408T080000Z": "cancelled",
    }
