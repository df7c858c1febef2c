"""`privateExtendedProperty` / `sharedExtendedProperty` filters (`name=value`, repeatable, all
must hold) over the `extendedProperties` events store as written."""

from __future__ import annotations

from typing import Any

from tests.sandbox.google.conftest import Sandbox, events_url, insert, list_all, timed


def event(day: int, private: dict[str, str] | None = None, **shared: str) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if private is not None:
        properties["private"] = private
    if shared:
        properties["shared"] = shared
    body = timed(f"2030-01-{day:02d}T10:00:00Z", f"2030-01-{day:02d}T11:00:00Z")
    if properties:
        body["extendedProperties"] = properties
    return body


async def ids(sandbox: Sandbox, headers: dict[str, str], **params: Any) -> set[str]:
    items, _ = await list_all(sandbox, headers, **params)
    return {i["id"] for i in items}


async def test_events_filter_by_extended_properties(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    crm = await insert(sandbox, headers, event(8, {"crm": "42", "kind": "call"}, team="a"))
    other = await insert(sandbox, headers, event(9, {"crm": "43"}, team="a"))
    plain = await insert(sandbox, headers, event(10))
    assert crm["extendedProperties"] == {
        "private": {"crm": "42", "kind": "call"},
        "shared": {"team": "a"},
    }
    assert await ids(sandbox, headers, privateExtendedProperty="crm=42") == {crm["id"]}
    assert await ids(sandbox, headers, sharedExtendedProperty="team=a") == {crm["id"], other["id"]}
    assert await ids(sandbox, headers, privateExtendedProperty="team=a") == set()
    both = {"privateExtendedProperty": ["crm=42", "kind=call"], "sharedExtendedProperty": "team=a"}
    assert await ids(sandbox, headers, **both) == {crm["id"]}
    assert await ids(sandbox, headers, privateExtendedProperty=["crm=42", "kind=meet"]) == set()
    assert await ids(sandbox, headers) == {crm["id"], other["id"], plain["id"]}


async def test_patched_properties_are_stored_and_matched(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    plain = await insert(sandbox, headers, event(8))
    patched = await sandbox.client.patch(
        f"{events_url()}/{plain['id']}",
        json={"extendedProperties": {"private": {"sync": "yes"}}},
        headers=headers,
    )
    assert patched.json()["extendedProperties"] == {"private": {"sync": "yes"}}
    assert await ids(sandbox, headers, privateExtendedProperty="sync=yes") == {plain["id"]}
    fetched = await sandbox.client.get(f"{events_url()}/{plain['id']}", headers=headers)
    assert fetched.json()["extendedProperties"] == {"private": {"sync": "yes"}}
    replaced = await sandbox.client.put(
        f"{events_url()}/{plain['id']}", json=event(8, {"sync": "no"}), headers=headers
    )
    assert replaced.status_code == 200
    assert await ids(sandbox, headers, privateExtendedProperty="sync=yes") == set()
    assert await ids(sandbox, headers, privateExtendedProperty="sync=no") == {plain["id"]}


async def test_instances_of_a_matching_series_are_listed(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed(
        "2030-01-08T10:00:00",
        "2030-01-08T11:00:00",
        "Europe/Berlin",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
        extendedProperties={"shared": {"room": "7"}},
    )
    master = await insert(sandbox, headers, body)
    await insert(sandbox, headers, event(9))
    found = await ids(sandbox, headers, singleEvents="true", sharedExtendedProperty="room=7")
    assert len(found) == 3 and all(i.startswith(master["id"]) for i in found)


async def test_malformed_constraints_are_400(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    response = await sandbox.client.get(
        events_url(), params={"privateExtendedProperty": "no-equals-sign"}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["location"] == "privateExtendedProperty"
