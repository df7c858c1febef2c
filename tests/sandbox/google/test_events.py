"""Event writes and reads: insert/get/patch/update/delete, ids, attendees with organizer/self
flags, time zones, Meet conferences on insert, and Google's 400/404/409/410 answers."""

from __future__ import annotations

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.google.conftest import Sandbox, events_url, insert, list_all, timed


async def test_insert_returns_the_full_event(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    event = await insert(
        sandbox,
        headers,
        timed("2030-01-08T10:00:00+01:00", "2030-01-08T11:00:00+01:00", summary="Roadmap"),
    )
    assert event["kind"] == "calendar#event"
    assert event["status"] == "confirmed"
    assert event["summary"] == "Roadmap"
    assert event["iCalUID"] == f"{event['id']}@google.com"
    assert event["organizer"] == {"email": "ada@example.com", "self": True}
    assert event["creator"] == {"email": "ada@example.com", "self": True}
    assert event["created"] == event["updated"] == "2030-01-07T09:00:00.000Z"
    assert event["start"] == {"dateTime": "2030-01-08T09:00:00Z"}  # shown in the calendar's zone
    assert event["etag"].startswith('"')
    assert event["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    assert "hangoutLink" not in event and "conferenceData" not in event
    fetched = await sandbox.client.get(f"{events_url()}/{event['id']}", headers=headers)
    assert fetched.json() == event


async def test_attendees_get_response_status_and_organizer_self_flags(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed(
        "2030-01-08T10:00:00Z",
        "2030-01-08T11:00:00Z",
        attendees=[
            {"email": "ada@example.com", "responseStatus": "accepted"},
            {"email": "grace@example.com", "displayName": "Grace"},
            {"email": "alan@example.com", "responseStatus": "declined", "self": True},
        ],
    )
    event = await insert(sandbox, headers, body)
    assert event["attendees"] == [
        {"email": "ada@example.com", "responseStatus": "accepted", "organizer": True, "self": True},
        {"email": "grace@example.com", "displayName": "Grace", "responseStatus": "needsAction"},
        {"email": "alan@example.com", "responseStatus": "declined"},
    ]
    bad = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z", attendees=[{"displayName": "x"}])
    response = await sandbox.client.post(events_url(), json=bad, headers=headers)
    assert response.status_code == 400


async def test_time_zones_are_kept_and_used_for_rendering(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    event = await insert(
        sandbox, headers, timed("2030-07-01T10:00:00", "2030-07-01T10:30:00", "Europe/Berlin")
    )
    assert event["start"] == {"dateTime": "2030-07-01T10:00:00+02:00", "timeZone": "Europe/Berlin"}
    in_utc = await sandbox.client.get(
        f"{events_url()}/{event['id']}", params={"timeZone": "UTC"}, headers=headers
    )
    assert in_utc.json()["start"]["dateTime"] == "2030-07-01T10:00:00+02:00"
    # timeMin/timeMax compare instants: 08:00Z is when it starts.
    items, _ = await list_all(
        sandbox, headers, timeMin="2030-07-01T08:15:00Z", timeMax="2030-07-01T08:20:00Z"
    )
    assert [i["id"] for i in items] == [event["id"]]
    naive = timed("2030-07-01T10:00:00", "2030-07-01T11:00:00")
    response = await sandbox.client.post(events_url(), json=naive, headers=headers)
    assert response.status_code == 400
    assert "time zone" in response.json()["error"]["message"]
    unknown = timed("2030-07-01T10:00:00", "2030-07-01T11:00:00", "Mars/Olympus")
    assert (
        await sandbox.client.post(events_url(), json=unknown, headers=headers)
    ).status_code == 400


async def test_all_day_events_are_dates(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = {"start": {"date": "2030-01-10"}, "end": {"date": "2030-01-11"}, "summary": "Off"}
    event = await insert(sandbox, headers, body)
    assert event["start"] == {"date": "2030-01-10"}
    assert event["end"] == {"date": "2030-01-11"}
    mixed = {"start": {"date": "2030-01-10"}, "end": {"dateTime": "2030-01-10T10:00:00Z"}}
    assert (await sandbox.client.post(events_url(), json=mixed, headers=headers)).status_code == 400


async def test_meet_conference_on_request(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed(
        "2030-01-08T10:00:00Z",
        "2030-01-08T11:00:00Z",
        conferenceData={
            "createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        },
    )
    ignored = await insert(sandbox, headers, body)  # conferenceDataVersion=0: ignored
    assert "conferenceData" not in ignored
    event = await insert(sandbox, headers, body, conferenceDataVersion=1)
    conference = event["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    assert conference["createRequest"]["requestId"] == "r1"
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    video = [e for e in conference["entryPoints"] if e["entryPointType"] == "video"]
    assert len(video) == 1
    assert video[0]["uri"] == event["hangoutLink"]
    assert event["hangoutLink"] == f"https://meet.google.com/{conference['conferenceId']}"
    code = conference["conferenceId"].split("-")
    assert [len(p) for p in code] == [3, 4, 3]
    # A patch without conferenceDataVersion keeps the conference.
    patched = await sandbox.client.patch(
        f"{events_url()}/{event['id']}", json={"summary": "x"}, headers=headers
    )
    assert patched.json()["hangoutLink"] == event["hangoutLink"]


async def test_conference_data_passes_through(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    zoom = {
        "conferenceId": "85551234567",
        "conferenceSolution": {"key": {"type": "addOn"}, "name": "Zoom Meeting"},
        "entryPoints": [
            {"entryPointType": "video", "uri": "https://us02web.zoom.us/j/85551234567"}
        ],
    }
    body = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z", conferenceData=zoom)
    event = await insert(sandbox, headers, body, conferenceDataVersion=1)
    assert event["conferenceData"] == zoom
    assert "hangoutLink" not in event


@pytest.mark.parametrize("settings", [SandboxSettings(google_meet_on_insert=True)])
async def test_meet_on_insert_setting_adds_a_meet_link_to_every_insert(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    event = await insert(sandbox, headers, timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z"))
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    assert event["conferenceData"]["entryPoints"][0]["uri"] == event["hangoutLink"]


async def test_patch_merges_and_update_replaces(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed(
        "2030-01-08T10:00:00",
        "2030-01-08T11:00:00",
        "Europe/Berlin",
        summary="A",
        location="Room 1",
    )
    event = await insert(sandbox, headers, body)
    url = f"{events_url()}/{event['id']}"
    patched = (
        await sandbox.client.patch(
            url,
            json={"summary": "B", "start": {"dateTime": "2030-01-08T09:30:00"}},
            headers=headers,
        )
    ).json()
    assert patched["summary"] == "B"
    assert patched["location"] == "Room 1"
    assert patched["start"] == {
        "dateTime": "2030-01-08T09:30:00+01:00",
        "timeZone": "Europe/Berlin",
    }
    assert patched["sequence"] == 1
    assert patched["updated"] >= event["updated"]
    assert patched["etag"] != event["etag"]
    replaced = (
        await sandbox.client.put(
            url,
            json=timed("2030-01-09T10:00:00Z", "2030-01-09T11:00:00Z", summary="C"),
            headers=headers,
        )
    ).json()
    assert replaced["summary"] == "C"
    assert "location" not in replaced
    assert replaced["id"] == event["id"] and replaced["created"] == event["created"]


async def test_delete_cancels_and_a_second_delete_is_gone(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    event = await insert(sandbox, headers, timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z"))
    url = f"{events_url()}/{event['id']}"
    deleted = await sandbox.client.delete(url, headers=headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await sandbox.client.get(url, headers=headers)).json()["status"] == "cancelled"
    again = await sandbox.client.delete(url, headers=headers)
    assert again.status_code == 410
    assert again.json()["error"]["errors"][0]["reason"] == "deleted"
    items, _ = await list_all(sandbox, headers)
    assert items == []
    shown, _ = await list_all(sandbox, headers, showDeleted="true")
    assert [(i["id"], i["status"]) for i in shown] == [(event["id"], "cancelled")]


async def test_client_ids_duplicates_and_unknown_events(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z", id="meeting0001")
    assert (await insert(sandbox, headers, body))["id"] == "meeting0001"
    duplicate = await sandbox.client.post(events_url(), json=body, headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["errors"][0]["reason"] == "duplicate"
    invalid = dict(body, id="Not_Base32hex!")
    assert (
        await sandbox.client.post(events_url(), json=invalid, headers=headers)
    ).status_code == 400
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        response = await sandbox.client.request(
            method, f"{events_url()}/nosuchevent", json={}, headers=headers
        )
        assert response.status_code == 404, method


async def test_bad_bodies_are_400(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    headers_json = {**headers, "Content-Type": "application/json"}
    parse = await sandbox.client.post(events_url(), content=b"{nope", headers=headers_json)
    assert parse.status_code == 400
    assert parse.json()["error"]["errors"][0]["reason"] == "parseError"
    no_end = {"start": {"dateTime": "2030-01-08T10:00:00Z"}}
    assert (
        await sandbox.client.post(events_url(), json=no_end, headers=headers)
    ).status_code == 400
    backwards = timed("2030-01-08T10:00:00Z", "2030-01-08T09:00:00Z")
    response = await sandbox.client.post(events_url(), json=backwards, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "timeRangeEmpty"
    version = await sandbox.client.post(
        events_url(),
        json=timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z"),
        params={"conferenceDataVersion": "7"},
        headers=headers,
    )
    assert version.status_code == 400


async def test_all_day_events_last_at_least_a_day(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    for end in ("2030-01-08", "2030-01-07"):
        body = {"start": {"date": "2030-01-08"}, "end": {"date": end}}
        response = await sandbox.client.post(events_url(), json=body, headers=headers)
        assert response.status_code == 400, end
        assert response.json()["error"]["errors"][0]["reason"] == "timeRangeEmpty"
    day = await insert(
        sandbox, headers, {"start": {"date": "2030-01-08"}, "end": {"date": "2030-01-09"}}
    )
    moved = await sandbox.client.patch(
        f"{events_url()}/{day['id']}", json={"end": {"date": "2030-01-08"}}, headers=headers
    )
    assert moved.status_code == 400
    instant = timed("2030-01-08T10:00:00Z", "2030-01-08T10:00:00Z")
    assert (
        await sandbox.client.post(events_url(), json=instant, headers=headers)
    ).status_code == 200


@pytest.mark.parametrize("email", [42, ["a@example.com"], {"x": 1}, True, "   "])
async def test_attendee_emails_must_be_strings(sandbox: Sandbox, email: object) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z", attendees=[{"email": email}])
    response = await sandbox.client.post(events_url(), json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400
