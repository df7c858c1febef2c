"""calendarView delta rounds (providers.md §2.3): paging with `$skiptoken` until a `$deltatoken`,
incremental rounds with `@removed`, out-of-window changes, sparse occurrences after full masters,
per-calendar tracking, `Prefer: odata.maxpagesize`, and the resync error after token expiry."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.microsoft.conftest import API, Sandbox, User, timed, weekly

WINDOW = {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2030-02-01T00:00:00Z"}


async def round_trip(
    sandbox: Sandbox, user: User, url: str, params: dict[str, str] | None = None, size: int = 10
) -> tuple[list[dict[str, Any]], str, int]:
    """Every page of one round: (rows, the deltaLink, pages)."""
    rows: list[dict[str, Any]] = []
    pages = 0
    headers = {**user.headers, "Prefer": f"odata.maxpagesize={size}"}
    while True:
        response = await sandbox.client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        assert len(page["value"]) <= size
        rows += page["value"]
        assert ("@odata.nextLink" in page) != ("@odata.deltaLink" in page)
        if "@odata.deltaLink" in page:
            return rows, page["@odata.deltaLink"], pages
        url, params = page["@odata.nextLink"], None
        assert "$skiptoken=" in url


async def initial(
    sandbox: Sandbox, user: User, size: int = 10, path: str = "/me"
) -> tuple[list[dict[str, Any]], str, int]:
    return await round_trip(sandbox, user, f"{API}{path}/calendarView/delta", WINDOW, size)


async def test_an_initial_round_pages_then_gives_a_delta_link(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    created = [
        await sandbox.create_event(
            user, timed(f"2030-01-{d:02d}T10:00:00", f"2030-01-{d:02d}T11:00:00")
        )
        for d in range(2, 27)
    ]
    await sandbox.create_event(user, timed("2030-03-01T10:00:00", "2030-03-01T11:00:00"))
    rows, link, pages = await initial(sandbox, user, size=10)
    assert pages == 3
    assert [r["id"] for r in rows] == [e["id"] for e in created]
    assert rows[0]["@odata.type"] == "#microsoft.graph.event"
    assert rows[0]["start"]["dateTime"] == "2030-01-02T10:00:00.0000000"
    assert link.startswith("http://sandbox/microsoft/v1.0/me/calendarView/delta?$deltatoken=")
    again, _, _ = await round_trip(sandbox, user, link)
    assert again == []


async def test_incremental_rounds_send_changes_and_removals(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    kept = await sandbox.create_event(user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"))
    edited = await sandbox.create_event(user, timed("2030-01-09T10:00:00", "2030-01-09T11:00:00"))
    dropped = await sandbox.create_event(user, timed("2030-01-10T10:00:00", "2030-01-10T11:00:00"))
    moved_out = await sandbox.create_event(
        user, timed("2030-01-11T10:00:00", "2030-01-11T11:00:00")
    )
    _, link, _ = await initial(sandbox, user)
    await sandbox.client.patch(
        f"{API}/me/events/{edited['id']}", json={"subject": "new"}, headers=user.headers
    )
    await sandbox.client.delete(f"{API}/me/events/{dropped['id']}", headers=user.headers)
    await sandbox.client.patch(
        f"{API}/me/events/{moved_out['id']}",
        json={
            "start": {"dateTime": "2030-05-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-05-01T11:00:00", "timeZone": "UTC"},
        },
        headers=user.headers,
    )
    outside = await sandbox.create_event(user, timed("2030-06-01T10:00:00", "2030-06-01T11:00:00"))
    added = await sandbox.create_event(user, timed("2030-01-20T10:00:00", "2030-01-20T11:00:00"))
    rows, link, _ = await round_trip(sandbox, user, link)
    removed = {"reason": "deleted"}
    assert [(r["id"], r.get("@removed"), r.get("subject")) for r in rows] == [
        (edited["id"], None, "new"),
        (dropped["id"], removed, None),
        (moved_out["id"], removed, None),
        (outside["id"], removed, None),  # changes outside the window come as @removed
        (added["id"], None, ""),
    ]
    assert rows[1] == {
        "@odata.type": "#microsoft.graph.event",
        "id": dropped["id"],
        "@removed": removed,
    }
    assert kept["id"] not in {r["id"] for r in rows}
    assert (await round_trip(sandbox, user, link))[0] == []


async def test_series_come_as_a_full_master_then_sparse_occurrences(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    body = timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", subject="Weekly")
    master = await sandbox.create_event(
        user, {**body, "recurrence": weekly("2030-01-08", ["tuesday"])}
    )
    rows, link, _ = await initial(sandbox, user)
    assert rows[0]["id"] == master["id"]
    assert rows[0]["type"] == "seriesMaster"
    assert rows[0]["subject"] == "Weekly"
    occurrences = rows[1:]
    assert len(occurrences) == 4
    assert set(occurrences[0]) == {
        "@odata.type",
        "@odata.etag",
        "id",
        "type",
        "seriesMasterId",
        "start",
        "end",
    }
    assert occurrences[0]["type"] == "occurrence"
    assert occurrences[0]["seriesMasterId"] == master["id"]
    third = occurrences[2]["id"]
    await sandbox.client.delete(f"{API}/me/events/{third}", headers=user.headers)
    rows, link, _ = await round_trip(sandbox, user, link)
    assert {
        "id": third,
        "@removed": {"reason": "deleted"},
        "@odata.type": "#microsoft.graph.event",
    } in rows
    # shortening the series: the occurrences it no longer has are removed
    short = {**weekly("2030-01-08", ["tuesday"], count=2)}
    await sandbox.client.patch(
        f"{API}/me/events/{master['id']}", json={"recurrence": short}, headers=user.headers
    )
    rows, link, _ = await round_trip(sandbox, user, link)
    live = [r["id"] for r in rows if r.get("type") == "occurrence"]
    gone = [r["id"] for r in rows if "@removed" in r]
    assert live == [o["id"] for o in occurrences[:2]]
    assert set(gone) >= {occurrences[3]["id"]}
    await sandbox.client.delete(f"{API}/me/events/{master['id']}", headers=user.headers)
    rows, _, _ = await round_trip(sandbox, user, link)
    assert {r["id"] for r in rows if "@removed" in r} >= {master["id"], *live}


async def test_exceptions_come_full_and_leaving_the_window_is_a_removal(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    body = timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", subject="Weekly")
    await sandbox.create_event(user, {**body, "recurrence": weekly("2030-01-08", ["tuesday"])})
    rows, link, _ = await initial(sandbox, user)
    second = rows[2]["id"]
    await sandbox.client.patch(
        f"{API}/me/events/{second}", json={"subject": "Special"}, headers=user.headers
    )
    rows, link, _ = await round_trip(sandbox, user, link)
    assert [(r["id"], r["type"], r["subject"]) for r in rows] == [(second, "exception", "Special")]
    await sandbox.client.patch(
        f"{API}/me/events/{second}",
        json={
            "start": {"dateTime": "2030-02-15T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-02-15T11:00:00", "timeZone": "UTC"},
        },
        headers=user.headers,
    )
    rows, _, _ = await round_trip(sandbox, user, link)
    assert rows == [
        {"@odata.type": "#microsoft.graph.event", "id": second, "@removed": {"reason": "deleted"}}
    ]


async def test_each_calendar_is_tracked_separately(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    team = (
        await sandbox.client.post(
            f"{API}/me/calendars", json={"name": "Team"}, headers=user.headers
        )
    ).json()
    path = f"/me/calendars/{team['id']}"
    _, team_link, _ = await initial(sandbox, user, path=path)
    _, me_link, _ = await initial(sandbox, user)
    assert f"/me/calendars/{team['id']}/calendarView/delta?$deltatoken=" in team_link
    in_team = await sandbox.create_event(
        user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"), f"{path}/events"
    )
    assert [r["id"] for r in (await round_trip(sandbox, user, team_link))[0]] == [in_team["id"]]
    assert (await round_trip(sandbox, user, me_link))[0] == []
    # a token of one calendar is refused on another
    token = team_link.split("$deltatoken=")[1]
    wrong = await sandbox.client.get(
        f"{API}/me/calendarView/delta?$deltatoken={token}", headers=user.headers
    )
    assert wrong.status_code == 410


async def test_changes_made_while_paging_come_in_the_next_round(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    for d in range(2, 8):
        await sandbox.create_event(
            user, timed(f"2030-01-{d:02d}T10:00:00", f"2030-01-{d:02d}T11:00:00")
        )
    first = await sandbox.client.get(
        f"{API}/me/calendarView/delta",
        params=WINDOW,
        headers={**user.headers, "Prefer": "odata.maxpagesize=2"},
    )
    late = await sandbox.create_event(user, timed("2030-01-09T10:00:00", "2030-01-09T11:00:00"))
    rest, link, _ = await round_trip(sandbox, user, first.json()["@odata.nextLink"], size=2)
    assert late["id"] not in {r["id"] for r in first.json()["value"] + rest}
    assert [r["id"] for r in (await round_trip(sandbox, user, link))[0]] == [late["id"]]


async def test_expired_tokens_answer_410_with_a_fresh_start(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await sandbox.create_event(user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"))
    _, link, _ = await initial(sandbox, user)
    first_page = await sandbox.client.get(
        f"{API}/me/calendarView/delta",
        params=WINDOW,
        headers={**user.headers, "Prefer": "odata.maxpagesize=1"},
    )
    expired = await sandbox.client.post(
        "/_admin/sync_tokens/expire", json={"provider": "microsoft", "account_id": user.account_id}
    )
    assert expired.json() == {"expired": 1}
    for url in (link, first_page.json()["@odata.nextLink"]):
        response = await sandbox.client.get(url, headers=user.headers)
        assert response.status_code == 410
        assert response.json()["error"]["code"] == "syncStateNotFound"
        location = response.headers["location"]
        assert location.startswith(
            "http://sandbox/microsoft/v1.0/me/calendarView/delta?startDateTime=2030-01-01T00"
        )
    restarted, _, _ = await round_trip(sandbox, user, location)
    assert len(restarted) == 1
    garbage = await sandbox.client.get(
        f"{API}/me/calendarView/delta?$deltatoken=garbage", headers=user.headers
    )
    assert garbage.status_code == 410
    assert "location" not in garbage.headers


@pytest.mark.parametrize(
    "settings", [SandboxSettings(microsoft_delta_resync_status=400)], indirect=True
)
async def test_the_resync_status_is_a_setting(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    _, link, _ = await initial(sandbox, user)
    await sandbox.client.post("/_admin/sync_tokens/expire", json={"provider": "microsoft"})
    response = await sandbox.client.get(link, headers=user.headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "syncStateNotFound"


async def test_delta_refuses_query_options_and_needs_a_window(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    select = await sandbox.client.get(
        f"{API}/me/calendarView/delta",
        params={**WINDOW, "$select": "subject"},
        headers=user.headers,
    )
    assert select.status_code == 400
    missing = await sandbox.client.get(f"{API}/me/calendarView/delta", headers=user.headers)
    assert missing.status_code == 400


async def test_prefer_timezone_applies_to_delta_rows(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await sandbox.create_event(user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"))
    response = await sandbox.client.get(
        f"{API}/me/calendarView/delta",
        params=WINDOW,
        headers={**user.headers, "Prefer": 'outlook.timezone="Tokyo Standard Time"'},
    )
    assert response.json()["value"][0]["start"] == {
        "dateTime": "2030-01-08T19:00:00.0000000",
        "timeZone": "Tokyo Standard Time",
    }
