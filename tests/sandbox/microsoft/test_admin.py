"""The shared admin API for Microsoft: account creation (the default calendar), deterministic
seeding (calendars, recurring and Teams shares, responses), the request log, reset."""

from __future__ import annotations

from typing import Any

from tests.sandbox.microsoft.conftest import API, Sandbox, User


async def seed(sandbox: Sandbox, user: User, **options: Any) -> dict[str, Any]:
    body = {"provider": "microsoft", "account_id": user.account_id, **options}
    response = await sandbox.client.post("/_admin/seed", json=body)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


async def events(sandbox: Sandbox, user: User, calendar_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = f"{API}/me/calendars/{calendar_id}/events?$top=1000"
    while url:
        page = (await sandbox.client.get(url, headers=user.headers)).json()
        rows += page["value"]
        url = page.get("@odata.nextLink")
    return rows


async def test_seeding_is_deterministic_and_has_the_requested_shares(sandbox: Sandbox) -> None:
    user = await sandbox.user("ada@example.com")
    summary = await seed(
        sandbox,
        user,
        calendars=2,
        events_per_calendar=200,
        recurring_share=0.25,
        meeting_link_share=0.4,
        seed=7,
    )
    assert len(summary["calendars"]) == 2
    assert summary["events"] == 400
    assert 60 <= summary["recurring"] <= 140
    assert 110 <= summary["with_meeting_links"] <= 210
    default = (await sandbox.client.get(f"{API}/me/calendar", headers=user.headers)).json()
    assert summary["calendars"][0] == default["id"]
    rows = await events(sandbox, user, default["id"])
    assert len(rows) == 200
    masters = [r for r in rows if r["type"] == "seriesMaster"]
    assert masters and all(r["recurrence"]["range"]["type"] == "numbered" for r in masters)
    teams = [r for r in rows if r["isOnlineMeeting"]]
    assert teams and all(
        r["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
        for r in teams
    )
    responses = {a["status"]["response"] for r in rows for a in r["attendees"]}
    assert {"accepted", "declined", "tentativelyAccepted"} <= responses
    assert any(not r["isOrganizer"] for r in rows)
    assert {r["originalStartTimeZone"] for r in rows} <= {
        "W. Europe Standard Time",
        "Eastern Standard Time",
        "Tokyo Standard Time",
        "UTC",
    }

    await sandbox.client.post("/_admin/reset")
    again = await sandbox.user("ada@example.com")
    assert (
        await seed(
            sandbox,
            again,
            calendars=2,
            events_per_calendar=200,
            recurring_share=0.25,
            meeting_link_share=0.4,
            seed=7,
        )
    )["calendars"] == summary["calendars"]
    rerun = await events(sandbox, again, default["id"])
    assert [(r["id"], r["subject"], r["start"]) for r in rerun] == [
        (r["id"], r["subject"], r["start"]) for r in rows
    ]


async def test_reset_forgets_calendars_and_subscriptions(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await seed(sandbox, user, events_per_calendar=5)
    assert (await sandbox.client.post("/_admin/reset")).status_code == 204
    assert sandbox.backend.store.calendars == {}
    assert (await sandbox.client.get(f"{API}/me", headers=user.headers)).status_code == 401


async def test_expire_counts_calendars_and_requests_are_logged(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await seed(sandbox, user, calendars=3, events_per_calendar=1)
    expired = await sandbox.client.post(
        "/_admin/sync_tokens/expire", json={"provider": "microsoft"}
    )
    assert expired.json() == {"expired": 3}
    await sandbox.client.get(f"{API}/me", headers=user.headers)
    log = (await sandbox.client.get("/_admin/requests?provider=microsoft")).json()["results"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/microsoft/v1.0/me", 200)
    ]
