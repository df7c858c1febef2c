"""Meetings create/get/patch/delete and `/users/me` (providers.md §4): Zoom's fields, join and
start URLs, recurring meetings' occurrences, scopes and Zoom's error bodies."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.oauth.store import OAuthStore
from tests.sandbox.zoom.conftest import API, create_meeting, user

MEETINGS = f"{API}/users/me/meetings"
START = "2030-01-08T10:00:00Z"


async def test_users_me(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada.lovelace@example.com")
    me = (await client.get(f"{API}/users/me", headers=headers)).json()
    assert me["email"] == "ada.lovelace@example.com"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", me["id"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", me["account_id"])
    assert (me["first_name"], me["type"], me["status"]) == ("Ada", 2, "active")
    again = (await client.get(f"{API}/users/me", headers=headers)).json()
    assert again["id"] == me["id"]


async def test_create_then_get_returns_zooms_meeting(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(
        client,
        headers,
        topic="Roadmap",
        type=2,
        start_time="2030-01-08T11:00:00",
        timezone="Europe/Berlin",
        duration=45,
        agenda="Q1",
        settings={"waiting_room": False},
    )
    assert isinstance(created["id"], int) and 10**10 <= created["id"] < 10**11
    assert created["start_time"] == START  # 11:00 in Berlin, answered in UTC
    assert (created["duration"], created["timezone"], created["topic"]) == (
        45,
        "Europe/Berlin",
        "Roadmap",
    )
    join = urlsplit(created["join_url"])
    assert join.path == f"/j/{created['id']}"
    assert parse_qs(join.query)["pwd"] == [created["encrypted_password"]]
    assert created["start_url"].startswith(f"https://us05web.zoom.us/s/{created['id']}?zak=")
    assert re.fullmatch(r"[A-Za-z0-9]{6}", created["password"])
    assert created["settings"]["waiting_room"] is False
    assert created["settings"]["join_before_host"] is False  # Zoom's defaults fill the rest

    got = await client.get(f"{API}/meetings/{created['id']}", headers=headers)
    assert got.status_code == 200
    body = got.json()
    for field in ("uuid", "id", "host_id", "topic", "start_time", "join_url", "password"):
        assert body[field] == created[field]
    assert body["start_url"] != created["start_url"]  # a fresh ZAK on every read
    assert body["h323_password"].isdigit()


async def test_defaults_and_given_passcode(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, password="abc-123")
    assert (created["type"], created["topic"], created["duration"]) == (2, "Zoom Meeting", 60)
    assert created["start_time"] == "2030-01-01T09:00:00Z"  # now, by the sandbox clock
    assert created["password"] == "abc-123"
    assert created["timezone"] == "UTC"  # the user's


async def test_patch_changes_fields_and_answers_204(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, start_time=START)
    url = f"{API}/meetings/{created['id']}"
    patched = await client.patch(
        url, json={"topic": "New", "duration": 15, "password": "x1"}, headers=headers
    )
    assert (patched.status_code, patched.content) == (204, b"")
    body = (await client.get(url, headers=headers)).json()
    assert (body["topic"], body["duration"], body["password"]) == ("New", 15, "x1")
    assert body["encrypted_password"] != created["encrypted_password"]
    assert body["start_time"] == START


async def test_delete_answers_204_then_3001(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, start_time=START)
    url = f"{API}/meetings/{created['id']}"
    assert (await client.delete(url, headers=headers)).status_code == 204
    gone = await client.get(url, headers=headers)
    assert (gone.status_code, gone.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {created['id']}."},
    )
    assert (await client.delete(url, headers=headers)).status_code == 404
    assert (await client.patch(url, json={}, headers=headers)).json()["code"] == 3001


async def test_another_hosts_meeting_does_not_exist(client: httpx.AsyncClient) -> None:
    _, ada = await user(client, "ada@example.com")
    _, grace = await user(client, "grace@example.com")
    created = await create_meeting(client, ada, start_time=START)
    url = f"{API}/meetings/{created['id']}"
    for response in (
        await client.get(url, headers=grace),
        await client.patch(url, json={"topic": "mine"}, headers=grace),
        await client.delete(url, headers=grace),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == 3001
    assert (await client.get(url, headers=ada)).json()["topic"] == "Zoom Meeting"


async def test_validation_errors_are_zooms(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    cases = [
        ({"type": 5}, "type"),
        ({"start_time": "tomorrow"}, "start_time"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"password": "way-too-long-passcode"}, "password"),
        ({"duration": "long"}, "duration"),
        ({"type": 8, "start_time": START}, "recurrence"),
        ({"type": 8, "start_time": START, "recurrence": {"type": 9}}, "recurrence.type"),
        ({"type": 8, "recurrence": {"type": 1, "end_times": 61}}, "recurrence.end_times"),
    ]
    for body, field in cases:
        response = await client.post(MEETINGS, json=body, headers=headers)
        assert response.status_code == 400, body
        error = response.json()
        assert (error["code"], error["message"]) == (300, "Validation Failed.")
        assert error["errors"][0]["field"] == field
    not_json = await client.post(MEETINGS, content=b"{", headers=headers)
    assert (not_json.status_code, not_json.json()["code"]) == (400, 300)


async def test_a_refused_patch_changes_nothing(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, start_time=START)
    url = f"{API}/meetings/{created['id']}"
    refused = await client.patch(url, json={"topic": "x", "type": 8}, headers=headers)
    assert refused.status_code == 400
    assert (await client.get(url, headers=headers)).json()["topic"] == "Zoom Meeting"


async def test_recurring_meeting_with_fixed_time_has_occurrences(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(
        client,
        headers,
        type=8,
        start_time="2030-01-08T10:00:00",
        timezone="Europe/Berlin",
        duration=30,
        recurrence={"type": 2, "weekly_days": "3,5", "end_times": 4},  # Tuesdays and Thursdays
    )
    starts = [o["start_time"] for o in created["occurrences"]]
    assert starts == [
        "2030-01-08T09:00:00Z",
        "2030-01-10T09:00:00Z",
        "2030-01-15T09:00:00Z",
        "2030-01-17T09:00:00Z",
    ]
    assert created["occurrences"][0] == {
        "occurrence_id": "1894093200000",
        "start_time": "2030-01-08T09:00:00Z",
        "duration": 30,
        "status": "available",
    }
    assert created["recurrence"] == {
        "type": 2,
        "repeat_interval": 1,
        "weekly_days": "3,5",
        "end_times": 4,
    }
    url = f"{API}/meetings/{created['id']}"
    one = await client.delete(url, params={"occurrence_id": "1894266000000"}, headers=headers)
    assert one.status_code == 204
    left = (await client.get(url, headers=headers)).json()["occurrences"]
    assert [o["occurrence_id"] for o in left] == ["1894093200000", "1894698000000", "1894870800000"]
    bad = await client.delete(url, params={"occurrence_id": "123"}, headers=headers)
    assert bad.status_code == 400


async def test_monthly_and_daily_recurrences(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    monthly = await create_meeting(
        client,
        headers,
        type=8,
        start_time="2030-01-31T10:00:00Z",
        recurrence={"type": 3, "monthly_day": 31, "end_date_time": "2030-06-01T00:00:00Z"},
    )
    assert [o["start_time"][:10] for o in monthly["occurrences"]] == [
        "2030-01-31",
        "2030-03-31",
        "2030-05-31",
    ]  # months without a 31st are skipped
    daily = await create_meeting(
        client,
        headers,
        type=8,
        start_time=START,
        recurrence={"type": 1, "repeat_interval": 2, "end_times": 3},
    )
    assert [o["start_time"][:10] for o in daily["occurrences"]] == [
        "2030-01-08",
        "2030-01-10",
        "2030-01-12",
    ]


async def test_recurring_without_fixed_time_has_no_start(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    created = await create_meeting(client, headers, type=3, start_time=START)
    assert "start_time" not in created and "occurrences" not in created


async def test_bearer_and_scopes(client: httpx.AsyncClient, store: OAuthStore) -> None:
    account, _ = await user(client, "ada@example.com")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eA=="}):
        response = await client.get(MEETINGS, headers=headers)
        assert (response.status_code, response.json()) == (
            401,
            {"code": 124, "message": "Invalid access token."},
        )
    found = store.account(account["account_id"])
    assert found is not None
    read_only = store.grant(found, store.default_app("zoom"), "meeting:read:list_meetings")
    token = store.issue_access_token(read_only).token
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(MEETINGS, headers=headers)).status_code == 200
    refused = await client.post(MEETINGS, json={}, headers=headers)
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[meeting:write:meeting].",
        },
    )


async def test_unknown_paths_and_methods(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    missing = await client.get(f"{API}/webinars", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, 404)
    wrong = await client.put(f"{API}/users/me/meetings", headers=headers)
    assert wrong.status_code == 405
