"""Invitations between sandbox accounts: an organizer's event appears in each invited account's
primary calendar, follows the organizer's changes, and carries each attendee's response."""

from __future__ import annotations

from typing import Any

from tests.sandbox.google.conftest import (
    PushReceiver,
    Sandbox,
    events_url,
    insert,
    list_all,
    timed,
)

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def meeting(*guests: str, zone: str | None = None, **fields: Any) -> dict[str, Any]:
    return timed(
        "2030-01-08T10:00:00Z",
        "2030-01-08T11:00:00Z",
        zone,
        summary="Planning",
        attendees=[{"email": g} for g in guests],
        **fields,
    )


async def sync_token(sandbox: Sandbox, headers: dict[str, str]) -> str:
    _, pages = await list_all(sandbox, headers)
    token: str = pages[-1]["nextSyncToken"]
    return token


async def changes(sandbox: Sandbox, headers: dict[str, str], token: str) -> list[dict[str, Any]]:
    items, _ = await list_all(sandbox, headers, syncToken=token)
    return items


def own_entry(event: dict[str, Any], email: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(a for a in event["attendees"] if a["email"] == email)
    return entry


async def test_invited_account_lists_the_event_with_the_organizer_and_its_own_entry(
    sandbox: Sandbox,
) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(sandbox, alice, meeting(BOB, "outsider@partner.example.com"))
    items, _ = await list_all(sandbox, bob)
    assert [i["id"] for i in items] == [created["id"]]
    copy = items[0]
    assert copy["iCalUID"] == created["iCalUID"]
    assert copy["organizer"] == {"email": ALICE}
    assert "self" not in copy["creator"]
    assert own_entry(copy, BOB) == {"email": BOB, "self": True, "responseStatus": "needsAction"}
    assert "self" not in own_entry(created, BOB)
    assert created["organizer"] == {"email": ALICE, "self": True}


async def test_organizer_changes_reach_the_attendee_incremental_sync(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(sandbox, alice, meeting(BOB))
    token = await sync_token(sandbox, bob)
    moved = {
        "start": {"dateTime": "2030-01-09T15:00:00Z"},
        "end": {"dateTime": "2030-01-09T16:00:00Z"},
    }
    response = await sandbox.client.patch(
        f"{events_url()}/{created['id']}", json=moved, headers=alice
    )
    assert response.status_code == 200, response.text
    [changed] = await changes(sandbox, bob, token)
    assert changed["id"] == created["id"]
    assert changed["start"]["dateTime"].startswith("2030-01-09T")
    assert changed["sequence"] == 1


async def test_attendee_response_reaches_the_organizer_and_other_guests(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    _, carol = sandbox.account(CAROL)
    created = await insert(sandbox, alice, meeting(BOB, CAROL))
    carol_token = await sync_token(sandbox, carol)
    answer = {"attendees": [{"email": BOB, "responseStatus": "accepted"}, {"email": CAROL}]}
    response = await sandbox.client.patch(
        f"{events_url()}/{created['id']}", json=answer, headers=bob
    )
    assert response.status_code == 200, response.text
    assert own_entry(response.json(), BOB)["responseStatus"] == "accepted"
    organizers = await sandbox.client.get(f"{events_url()}/{created['id']}", headers=alice)
    assert own_entry(organizers.json(), BOB)["responseStatus"] == "accepted"
    assert organizers.json()["sequence"] == created["sequence"]
    [seen_by_carol] = await changes(sandbox, carol, carol_token)
    assert own_entry(seen_by_carol, BOB)["responseStatus"] == "accepted"
    assert own_entry(seen_by_carol, CAROL)["self"] is True


async def test_attendee_cannot_change_shared_properties(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(sandbox, alice, meeting(BOB))
    url = f"{events_url()}/{created['id']}"
    for body in (
        {"summary": "Mine now"},
        {"attendees": [{"email": BOB}, {"email": "friend@example.com"}]},
        {"start": {"dateTime": "2030-01-08T12:00:00Z"}},
    ):
        response = await sandbox.client.patch(url, json=body, headers=bob)
        assert response.status_code == 403, body
        assert response.json()["error"]["errors"][0]["reason"] == "forbiddenForNonOrganizer"
    as_read = (await sandbox.client.get(url, headers=bob)).json()
    own_entry(as_read, BOB)["responseStatus"] = "tentative"
    response = await sandbox.client.put(url, json=as_read, headers=bob)
    assert response.status_code == 200, response.text
    summary = (await sandbox.client.get(url, headers=alice)).json()["summary"]
    assert summary == "Planning"


async def test_organizer_delete_cancels_the_copies(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(sandbox, alice, meeting(BOB))
    token = await sync_token(sandbox, bob)
    response = await sandbox.client.delete(f"{events_url()}/{created['id']}", headers=alice)
    assert response.status_code == 204
    [cancelled] = await changes(sandbox, bob, token)
    assert (cancelled["id"], cancelled["status"]) == (created["id"], "cancelled")
    assert (await list_all(sandbox, bob))[0] == []


async def test_removed_attendee_copy_is_cancelled(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    _, carol = sandbox.account(CAROL)
    created = await insert(sandbox, alice, meeting(BOB, CAROL))
    token = await sync_token(sandbox, bob)
    response = await sandbox.client.patch(
        f"{events_url()}/{created['id']}", json={"attendees": [{"email": CAROL}]}, headers=alice
    )
    assert response.status_code == 200, response.text
    [cancelled] = await changes(sandbox, bob, token)
    assert cancelled["status"] == "cancelled"
    assert [i["id"] for i in (await list_all(sandbox, carol))[0]] == [created["id"]]


async def test_series_instance_change_reaches_the_copy(sandbox: Sandbox) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(
        sandbox, alice, meeting(BOB, zone="UTC", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    )
    instances, _ = await list_all(sandbox, bob, singleEvents="true")
    assert len(instances) == 3
    second = instances[1]["id"]
    response = await sandbox.client.delete(f"{events_url()}/{second}", headers=alice)
    assert response.status_code == 204
    remaining, _ = await list_all(sandbox, bob, singleEvents="true")
    assert [i["id"] for i in remaining] == [instances[0]["id"], instances[2]["id"]]
    assert all(i["recurringEventId"] == created["id"] for i in remaining)


async def test_attendee_watch_channel_hears_organizer_changes(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, alice = sandbox.account(ALICE)
    _, bob = sandbox.account(BOB)
    created = await insert(sandbox, alice, meeting(BOB))
    body = {"id": "bob-channel", "type": "web_hook", "address": receiver.url}
    response = await sandbox.client.post(f"{events_url()}/watch", json=body, headers=bob)
    assert response.status_code == 200, response.text
    await receiver.wait_for(1)
    await sandbox.client.patch(
        f"{events_url()}/{created['id']}", json={"summary": "Moved"}, headers=alice
    )
    messages = await receiver.wait_for(2)
    assert [m.headers["x-goog-resource-state"] for m in messages] == ["sync", "exists"]
    assert messages[1].headers["x-goog-channel-id"] == "bob-channel"
