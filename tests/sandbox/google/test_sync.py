"""Full and incremental sync exactly as providers.md §1.3-1.6: page and sync tokens, empty pages,
tombstones, parameters illegal with syncToken, 410 fullSyncRequired, snapshot semantics."""

from __future__ import annotations

import pytest

from sandbox.google.listing import ScanLimits
from tests.sandbox.google.conftest import (
    API,
    Sandbox,
    add_events,
    events_url,
    insert,
    list_all,
    timed,
)

FULL_SYNC_REQUIRED = {
    "error": {
        "errors": [
            {
                "domain": "calendar",
                "reason": "fullSyncRequired",
                "message": "Sync token is no longer valid, a full sync is required.",
                "locationType": "parameter",
                "location": "syncToken",
            }
        ],
        "code": 410,
        "message": "Sync token is no longer valid, a full sync is required.",
    }
}


async def test_full_sync_pages_carry_page_tokens_and_only_the_last_a_sync_token(
    sandbox: Sandbox,
) -> None:
    _, headers = sandbox.account("ada@example.com")
    created = await add_events(sandbox, headers, 7)
    items, pages = await list_all(sandbox, headers, maxResults=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    for page in pages[:-1]:
        assert "nextPageToken" in page and "nextSyncToken" not in page
    assert "nextSyncToken" in pages[-1] and "nextPageToken" not in pages[-1]
    assert sorted(i["id"] for i in items) == sorted(e["id"] for e in created)
    header = pages[0]
    assert header["kind"] == "calendar#events"
    assert header["accessRole"] == "owner"
    assert header["timeZone"] == "UTC"
    assert header["defaultReminders"] == [{"method": "popup", "minutes": 10}]
    assert {"summary", "updated", "etag"} <= header.keys()


async def test_an_empty_calendar_lists_one_page_with_a_sync_token(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    items, pages = await list_all(sandbox, headers)
    assert items == [] and len(pages) == 1 and "nextSyncToken" in pages[0]


@pytest.mark.parametrize("limits", [ScanLimits(factor=1, minimum=2)])
async def test_pages_may_be_empty_while_a_page_token_is_present(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    await add_events(sandbox, headers, 6)
    await insert(
        sandbox, headers, timed("2030-01-09T10:00:00Z", "2030-01-09T11:00:00Z", summary="needle")
    )
    items, pages = await list_all(sandbox, headers, q="needle", maxResults=1)
    assert [i["summary"] for i in items] == ["needle"]
    assert any(p["items"] == [] and "nextPageToken" in p for p in pages)
    assert "nextSyncToken" in pages[-1]


async def test_incremental_sync_returns_changes_and_tombstones(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    first, second, third = await add_events(sandbox, headers, 3)
    _, pages = await list_all(sandbox, headers)
    token = pages[-1]["nextSyncToken"]
    nothing, quiet = await list_all(sandbox, headers, syncToken=token)
    assert nothing == [] and "nextSyncToken" in quiet[-1]
    await sandbox.client.patch(
        f"{events_url()}/{first['id']}", json={"summary": "moved"}, headers=headers
    )
    await sandbox.client.delete(f"{events_url()}/{second['id']}", headers=headers)
    new = await insert(sandbox, headers, timed("2030-02-01T10:00:00Z", "2030-02-01T11:00:00Z"))
    changes, pages = await list_all(sandbox, headers, syncToken=token, maxResults=1)
    assert [len(p["items"]) for p in pages] == [1, 1, 1]
    assert all("nextSyncToken" not in p for p in pages[:-1])
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {first["id"], second["id"], new["id"]}
    assert by_id[first["id"]]["summary"] == "moved"
    assert by_id[second["id"]] == {
        "kind": "calendar#event",
        "etag": by_id[second["id"]]["etag"],
        "id": second["id"],
        "status": "cancelled",
    }
    detailed, _ = await list_all(sandbox, headers, syncToken=token, showDeleted="true")
    assert {c["id"]: c for c in detailed}[second["id"]]["summary"] == "e1"
    next_token = pages[-1]["nextSyncToken"]
    assert (await list_all(sandbox, headers, syncToken=next_token))[0] == []
    assert third  # unchanged, so absent from both incremental listings


@pytest.mark.parametrize(
    "param",
    [
        {"timeMin": "2030-01-01T00:00:00Z"},
        {"timeMax": "2030-01-01T00:00:00Z"},
        {"orderBy": "updated"},
        {"q": "x"},
        {"updatedMin": "2030-01-01T00:00:00Z"},
        {"iCalUID": "x@google.com"},
        {"privateExtendedProperty": "a=b"},
        {"sharedExtendedProperty": "a=b"},
        {"showDeleted": "false"},
    ],
)
async def test_parameters_illegal_with_a_sync_token_are_400(
    sandbox: Sandbox, param: dict[str, str]
) -> None:
    _, headers = sandbox.account("ada@example.com")
    _, pages = await list_all(sandbox, headers)
    response = await sandbox.client.get(
        events_url(), params={"syncToken": pages[-1]["nextSyncToken"], **param}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "invalid"


async def test_expired_sync_tokens_answer_410_full_sync_required(sandbox: Sandbox) -> None:
    ada, headers = sandbox.account("ada@example.com")
    _, grace = sandbox.account("grace@example.com")
    token = (await list_all(sandbox, headers))[1][-1]["nextSyncToken"]
    grace_token = (await list_all(sandbox, grace))[1][-1]["nextSyncToken"]
    assert sandbox.backend.expire_sync_tokens(ada.id) == 1
    response = await sandbox.client.get(events_url(), params={"syncToken": token}, headers=headers)
    assert response.status_code == 410
    assert response.json() == FULL_SYNC_REQUIRED
    still = await sandbox.client.get(events_url(), params={"syncToken": grace_token}, headers=grace)
    assert still.status_code == 200
    fresh = (await list_all(sandbox, headers))[1][-1]["nextSyncToken"]
    assert (await list_all(sandbox, headers, syncToken=fresh))[0] == []


async def test_sync_tokens_expire_with_age_and_are_bound_to_their_calendar(
    sandbox: Sandbox,
) -> None:
    _, headers = sandbox.account("ada@example.com")
    _, grace = sandbox.account("grace@example.com")
    token = (await list_all(sandbox, headers))[1][-1]["nextSyncToken"]
    foreign = await sandbox.client.get(events_url(), params={"syncToken": token}, headers=grace)
    assert foreign.status_code == 410
    garbage = await sandbox.client.get(events_url(), params={"syncToken": "xyz"}, headers=headers)
    assert garbage.status_code == 410
    sandbox.clock.advance(sandbox.backend.settings.google_sync_token_ttl_seconds + 1)
    old = await sandbox.client.get(events_url(), params={"syncToken": token}, headers=headers)
    assert old.status_code == 410


async def test_list_parameter_validation(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")

    async def status(**params: str) -> tuple[int, str]:
        response = await sandbox.client.get(events_url(), params=params, headers=headers)
        reason = (
            response.json()["error"]["errors"][0]["reason"] if response.status_code >= 400 else ""
        )
        return response.status_code, reason

    assert await status(orderBy="startTime") == (400, "invalid")
    assert await status(orderBy="startTime", singleEvents="true") == (200, "")
    assert await status(orderBy="nonsense") == (400, "invalid")
    assert await status(timeMin="2030-01-02T00:00:00Z", timeMax="2030-01-01T00:00:00Z") == (
        400,
        "timeRangeEmpty",
    )
    assert await status(timeMin="2030-01-02T00:00:00") == (400, "invalid")  # no offset
    assert await status(maxResults="0") == (400, "invalid")
    assert await status(maxResults="abc") == (400, "invalid")
    assert await status(maxResults="100000") == (200, "")
    assert await status(pageToken="garbage") == (400, "invalid")
    assert await status(updatedMin="2000-01-01T00:00:00Z") == (410, "updatedMinTooLongAgo")


async def test_page_tokens_need_the_same_parameters(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    await add_events(sandbox, headers, 3)
    first = (
        await sandbox.client.get(events_url(), params={"maxResults": 1}, headers=headers)
    ).json()
    changed = await sandbox.client.get(
        events_url(),
        params={"maxResults": 1, "pageToken": first["nextPageToken"], "q": "e"},
        headers=headers,
    )
    assert changed.status_code == 400


async def test_time_window_bounds_are_exclusive(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    event = await insert(sandbox, headers, timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z"))

    async def ids(time_min: str, time_max: str) -> list[str]:
        items, _ = await list_all(sandbox, headers, timeMin=time_min, timeMax=time_max)
        return [i["id"] for i in items]

    assert await ids("2030-01-08T11:00:00Z", "2030-01-09T00:00:00Z") == []  # ends at timeMin
    assert await ids("2030-01-08T00:00:00Z", "2030-01-08T10:00:00Z") == []  # starts at timeMax
    assert await ids("2030-01-08T10:59:00Z", "2030-01-08T12:01:00+01:00") == [event["id"]]


async def test_updated_min_returns_recent_changes_and_deletions(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    old, gone = await add_events(sandbox, headers, 2)
    sandbox.clock.advance(3600)
    await sandbox.client.delete(f"{events_url()}/{gone['id']}", headers=headers)
    recent = await insert(sandbox, headers, timed("2030-02-01T10:00:00Z", "2030-02-01T11:00:00Z"))
    items, _ = await list_all(sandbox, headers, updatedMin="2030-01-07T09:30:00Z")
    assert {i["id"]: i["status"] for i in items} == {
        gone["id"]: "cancelled",
        recent["id"]: "confirmed",
    }
    assert old


async def test_order_by_start_time_and_ical_uid_filter(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    late = await insert(sandbox, headers, timed("2030-01-20T10:00:00Z", "2030-01-20T11:00:00Z"))
    early = await insert(sandbox, headers, timed("2030-01-10T10:00:00Z", "2030-01-10T11:00:00Z"))
    middle = await insert(sandbox, headers, timed("2030-01-15T10:00:00Z", "2030-01-15T11:00:00Z"))
    items, pages = await list_all(
        sandbox, headers, singleEvents="true", orderBy="startTime", maxResults=2
    )
    assert [i["id"] for i in items] == [early["id"], middle["id"], late["id"]]
    assert len(pages) == 2 and "nextSyncToken" in pages[-1]
    by_uid, _ = await list_all(sandbox, headers, iCalUID=middle["iCalUID"])
    assert [i["id"] for i in by_uid] == [middle["id"]]


async def test_calendar_list_pages_and_syncs(sandbox: Sandbox) -> None:
    ada, headers = sandbox.account("ada@example.com")
    from sandbox.world import SeedRequest

    sandbox.backend.seed(ada, SeedRequest(3, 0, 0.0, 0.0, seed=1))
    url = f"{API}/users/me/calendarList"
    first = (await sandbox.client.get(url, params={"maxResults": 2}, headers=headers)).json()
    assert first["kind"] == "calendar#calendarList"
    assert len(first["items"]) == 2 and "nextPageToken" in first and "nextSyncToken" not in first
    assert first["items"][0] == {**first["items"][0], "id": "ada@example.com", "primary": True}
    second = (
        await sandbox.client.get(
            url, params={"maxResults": 2, "pageToken": first["nextPageToken"]}, headers=headers
        )
    ).json()
    assert len(second["items"]) == 1 and "nextSyncToken" in second
    assert "primary" not in second["items"][0]
    token = second["nextSyncToken"]
    quiet = (await sandbox.client.get(url, params={"syncToken": token}, headers=headers)).json()
    assert quiet["items"] == [] and "nextSyncToken" in quiet
    sandbox.backend.seed(ada, SeedRequest(2, 0, 0.0, 0.0, seed=2))
    changed = (await sandbox.client.get(url, params={"syncToken": token}, headers=headers)).json()
    assert len(changed["items"]) == 1
    illegal = await sandbox.client.get(
        url, params={"syncToken": token, "minAccessRole": "owner"}, headers=headers
    )
    assert illegal.status_code == 400
    sandbox.backend.expire_sync_tokens(ada.id)
    expired = await sandbox.client.get(url, params={"syncToken": token}, headers=headers)
    assert expired.status_code == 410
