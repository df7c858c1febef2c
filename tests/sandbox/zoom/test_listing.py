"""`GET /users/me/meetings` (providers.md §4): listing types, start order, `page_size` (default
30, at most 300), `next_page_token` paging and its expiry, and the start URL never listed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.conftest import FakeClock
from tests.sandbox.zoom.conftest import API, bearer, create_meeting, user

MEETINGS = f"{API}/users/me/meetings"
LIST_FIELDS = {
    "uuid",
    "id",
    "host_id",
    "topic",
    "type",
    "start_time",
    "duration",
    "timezone",
    "created_at",
    "join_url",
}


async def listing(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get(MEETINGS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def seed(client: httpx.AsyncClient, account: dict[str, Any], count: int) -> None:
    response = await client.post(
        "/_admin/seed",
        json={
            "provider": "zoom",
            "account_id": account["account_id"],
            "events_per_calendar": count,
            "recurring_share": 0,
        },
    )
    assert response.status_code == 200, response.text


async def test_list_items_carry_zooms_fields_and_no_secrets(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, start_time="2030-01-08T10:00:00Z")
    page = await listing(client, headers, type="upcoming")
    assert page["page_size"] == 30
    assert page["total_records"] == 1
    assert page["next_page_token"] == ""
    [item] = page["meetings"]
    assert set(item) == LIST_FIELDS
    assert item["join_url"] == created["join_url"]
    assert "start_url" not in item and "password" not in item


async def test_types_choose_by_time(client: httpx.AsyncClient, clock: FakeClock) -> None:
    account, headers = await user(client, "ada@example.com")
    past = await create_meeting(client, headers, topic="past", start_time="2029-12-31T10:00:00Z")
    soon = await create_meeting(client, headers, topic="soon", start_time="2030-01-02T10:00:00Z")
    later = await create_meeting(client, headers, topic="later", start_time="2030-01-05T10:00:00Z")
    anytime = await create_meeting(client, headers, topic="anytime", type=3)
    await create_meeting(client, headers, topic="instant", type=1)

    def ids(page: dict[str, Any]) -> list[int]:
        return [m["id"] for m in page["meetings"]]

    assert ids(await listing(client, headers)) == [
        past["id"],
        anytime["id"],
        soon["id"],
        later["id"],
    ]  # `scheduled` is the default; instant meetings are never listed
    upcoming = await listing(client, headers, type="upcoming")
    assert ids(upcoming) == [anytime["id"], soon["id"], later["id"]]
    assert ids(await listing(client, headers, type="upcoming_meetings")) == ids(upcoming)
    assert ids(await listing(client, headers, type="previous_meetings")) == [past["id"]]
    assert ids(await listing(client, headers, type="live")) == []
    clock.advance(3 * 24 * 3600)  # 2030-01-04 09:00: `soon` is over
    headers = await bearer(client, account)  # the old access token expired meanwhile
    assert ids(await listing(client, headers, type="upcoming")) == [anytime["id"], later["id"]]
    assert ids(await listing(client, headers, type="previous_meetings")) == [
        past["id"],
        soon["id"],
    ]


async def test_recurring_meetings_list_once_at_their_next_occurrence(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    account, headers = await user(client, "ada@example.com")
    weekly = await create_meeting(
        client,
        headers,
        type=8,
        start_time="2030-01-02T10:00:00Z",
        recurrence={"type": 2, "end_times": 3},
    )
    clock.advance(7 * 24 * 3600)  # past the first occurrence
    headers = await bearer(client, account)
    [item] = (await listing(client, headers, type="upcoming"))["meetings"]
    assert (item["id"], item["start_time"]) == (weekly["id"], "2030-01-09T10:00:00Z")
    [item] = (await listing(client, headers, type="scheduled"))["meetings"]
    assert item["start_time"] == "2030-01-02T10:00:00Z"


async def test_paging_with_next_page_token(client: httpx.AsyncClient) -> None:
    account, headers = await user(client, "ada@example.com")
    await seed(client, account, 75)
    first = await listing(client, headers, type="upcoming")
    assert (len(first["meetings"]), first["total_records"], first["page_size"]) == (30, 75, 30)
    seen = [m["id"] for m in first["meetings"]]
    token = first["next_page_token"]
    while token:
        page = await listing(client, headers, type="upcoming", next_page_token=token)
        seen += [m["id"] for m in page["meetings"]]
        token = page["next_page_token"]
    assert len(seen) == len(set(seen)) == 75
    whole = await listing(client, headers, type="upcoming", page_size=300)
    assert [m["id"] for m in whole["meetings"]] == seen
    starts = [m["start_time"] for m in whole["meetings"]]
    assert starts == sorted(starts)


async def test_page_size_is_capped_and_validated(client: httpx.AsyncClient) -> None:
    account, headers = await user(client, "ada@example.com")
    await seed(client, account, 301)
    capped = await listing(client, headers, page_size=1000)
    assert (capped["page_size"], len(capped["meetings"])) == (300, 300)
    assert capped["next_page_token"]
    for params in ({"page_size": 0}, {"page_size": "many"}, {"type": "everything"}):
        response = await client.get(MEETINGS, params=params, headers=headers)
        assert (response.status_code, response.json()["code"]) == (400, 300), params


async def test_page_tokens_expire_and_are_bound_to_the_listing(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    account, headers = await user(client, "ada@example.com")
    _, grace = await user(client, "grace@example.com")
    await seed(client, account, 40)
    token = (await listing(client, headers, type="upcoming"))["next_page_token"]
    for params, who in (
        ({"type": "scheduled"}, headers),
        ({"type": "upcoming"}, grace),
        ({"type": "upcoming", "next_page_token": "forged"}, headers),
    ):
        query = {"next_page_token": token} | params
        response = await client.get(MEETINGS, params=query, headers=who)
        assert response.status_code == 400, params
    clock.advance(15 * 60)
    expired = await client.get(
        MEETINGS, params={"type": "upcoming", "next_page_token": token}, headers=headers
    )
    assert (expired.status_code, expired.json()["code"]) == (400, 300)
