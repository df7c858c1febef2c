"""Seeding (`ProviderBackend.seed`): deterministic from the seed, the requested shares, and the
data visible through the Calendar API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox.google.backend import GoogleBackend
from sandbox.world import Account, SeedRequest
from tests.sandbox.google.conftest import API, Sandbox, list_all, make_sandbox

REQUEST = SeedRequest(
    calendars=3, events_per_calendar=200, recurring_share=0.25, meeting_link_share=0.5, seed=42
)


def snapshot(backend: GoogleBackend, calendar_ids: list[str]) -> list[tuple[Any, ...]]:
    rows = []
    for calendar_id in calendar_ids:
        calendar = backend.store.calendars[calendar_id]
        for event in calendar.events.values():
            rows.append((calendar_id, event.id, event.start, event.fields, event.recurrence))
    return rows


async def test_seeding_is_deterministic(sandbox: Sandbox) -> None:
    ada, _ = sandbox.account("ada@example.com")
    first = sandbox.backend.seed(ada, REQUEST)
    rows = snapshot(sandbox.backend, first["calendars"])
    sandbox.backend.reset()
    sandbox.backend.on_account_created(ada)
    again = sandbox.backend.seed(ada, REQUEST)
    assert again == first
    assert snapshot(sandbox.backend, again["calendars"]) == rows
    sandbox.backend.reset()
    sandbox.backend.on_account_created(ada)
    other = sandbox.backend.seed(ada, SeedRequest(3, 200, 0.25, 0.5, seed=43))
    assert snapshot(sandbox.backend, other["calendars"]) != rows


async def test_seed_summary_and_shares(sandbox: Sandbox) -> None:
    ada, _ = sandbox.account("ada@example.com")
    summary = sandbox.backend.seed(ada, REQUEST)
    assert summary["calendars"][0] == "ada@example.com"
    assert all(c.endswith("@group.calendar.google.com") for c in summary["calendars"][1:])
    assert summary["events"] == 600
    assert 100 <= summary["recurring"] <= 200
    assert 240 <= summary["with_meeting_links"] <= 360


async def test_seeded_data_through_the_api(sandbox: Sandbox) -> None:
    ada, headers = sandbox.account("ada@example.com")
    summary = sandbox.backend.seed(ada, REQUEST)
    listed = (await sandbox.client.get(f"{API}/users/me/calendarList", headers=headers)).json()
    assert [c["id"] for c in listed["items"]] == summary["calendars"]
    items, _ = await list_all(sandbox, headers, summary["calendars"][1], maxResults=2500)
    assert len(items) == 200
    assert sum("recurrence" in i for i in items) > 0
    assert any("hangoutLink" in i for i in items)
    assert any(
        i.get("conferenceData", {}).get("conferenceSolution", {}).get("name") == "Zoom Meeting"
        for i in items
    )
    assert any("zoom.us/j/" in i.get("location", "") for i in items)
    assert any("teams.microsoft.com" in i.get("description", "") for i in items)
    invited = [i for i in items if not i["organizer"].get("self")]
    assert invited and all(any(a.get("self") for a in i["attendees"]) for i in invited)
    starts = sorted(i["start"].get("dateTime", i["start"].get("date", "")) for i in items)
    assert starts[0] >= "2030-01-06" and starts[-1] < "2030-03-09"
    expanded, _ = await list_all(
        sandbox, headers, summary["calendars"][1], singleEvents="true", maxResults=2500
    )
    assert len(expanded) > len(items)


async def test_seeding_notifies_watchers_once_per_calendar(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, _ = sandbox.account("ada@example.com")
    notified: list[str] = []
    monkeypatch.setattr(sandbox.backend.push, "notify", notified.append)
    sandbox.backend.seed(ada, REQUEST)
    assert len(notified) == 3


async def seeded_listings(account_id: str, email: str) -> list[Any]:
    """A fresh sandbox, one seeded account, and everything its calendars list (ids included)."""
    app, identity, faults, clock, backend = make_sandbox()
    account = Account(account_id, "google", email, datetime(2030, 1, 1, tzinfo=UTC))
    identity.tokens["t"] = account
    backend.on_account_created(account)
    backend.seed(account, REQUEST)
    headers = {"Authorization": "Bearer t"}
    transport = httpx.ASGITransport(app=app)
    listings: list[Any] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        sandbox = Sandbox(client, backend, identity, faults, clock)
        calendars = (await client.get(f"{API}/users/me/calendarList", headers=headers)).json()
        listings.append(calendars["items"])  # (sync tokens name the account: not data)
        for entry in calendars["items"]:
            for single in ("false", "true"):
                items, _ = await list_all(
                    sandbox, headers, entry["id"], singleEvents=single, maxResults=2500
                )
                listings.append(items)
    await backend.aclose()
    return listings


async def test_the_same_seed_and_email_give_the_same_data_whatever_the_account_id() -> None:
    first = await seeded_listings("account-1", "ada@example.com")
    second = await seeded_listings("account-2", "ada@example.com")
    assert len(first[0]) == 3 and sum(len(x) for x in first[1:]) > 600
    assert first == second
    other = await seeded_listings("account-1", "grace@example.com")
    other_ids = {c["id"] for c in other[0]}
    assert other_ids.isdisjoint(c["id"] for c in first[0])
