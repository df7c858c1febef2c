"""Events CRUD on Graph's wire (providers.md §2.4): resource shape, 7-digit times without offset,
Windows zone names, `Prefer: outlook.timezone`, attendees, Teams meetings, calendars."""

from __future__ import annotations

import re

from tests.sandbox.microsoft.conftest import API, Sandbox, timed

TEAMS_JOIN = re.compile(
    r"^https://teams\.microsoft\.com/l/meetup-join/19%3ameeting_[A-Za-z0-9]{40,}%40thread\.v2/0"
    r"\?context=%7b%22Tid%22%3a%22[0-9a-f-]{36}%22%2c%22Oid%22%3a%22[0-9a-f-]{36}%22%7d$"
)


async def test_me_and_the_default_calendar(sandbox: Sandbox) -> None:
    user = await sandbox.user("ada.lovelace@example.com")
    me = (await sandbox.client.get(f"{API}/me", headers=user.headers)).json()
    assert me["mail"] == me["userPrincipalName"] == "ada.lovelace@example.com"
    assert me["displayName"] == "Ada Lovelace"
    listing = (await sandbox.client.get(f"{API}/me/calendars", headers=user.headers)).json()
    [calendar] = listing["value"]
    assert calendar["name"] == "Calendar"
    assert calendar["isDefaultCalendar"] is True
    assert calendar["owner"] == {"name": "Ada Lovelace", "address": "ada.lovelace@example.com"}
    one = await sandbox.client.get(f"{API}/me/calendars/{calendar['id']}", headers=user.headers)
    assert one.json() == calendar
    default = await sandbox.client.get(f"{API}/me/calendar", headers=user.headers)
    assert default.json()["id"] == calendar["id"]


async def test_calendars_page_with_next_links(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    for index in range(4):
        created = await sandbox.client.post(
            f"{API}/me/calendars", json={"name": f"Team {index}"}, headers=user.headers
        )
        assert created.status_code == 201
    names, url = [], f"{API}/me/calendars?$top=2"
    while url:
        page = (await sandbox.client.get(url, headers=user.headers)).json()
        names += [c["name"] for c in page["value"]]
        url = page.get("@odata.nextLink", "")
        assert len(page["value"]) <= 2
    assert names == ["Calendar", "Team 0", "Team 1", "Team 2", "Team 3"]
    duplicate = await sandbox.client.post(
        f"{API}/me/calendars", json={"name": "Team 0"}, headers=user.headers
    )
    assert duplicate.status_code == 409


async def test_another_users_calendar_is_not_found(sandbox: Sandbox) -> None:
    ada = await sandbox.user("ada@example.com")
    grace = await sandbox.user("grace@example.com")
    calendar = (await sandbox.client.get(f"{API}/me/calendar", headers=ada.headers)).json()
    response = await sandbox.client.get(
        f"{API}/me/calendars/{calendar['id']}", headers=grace.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ErrorItemNotFound"


async def test_create_answers_in_the_events_own_zone_and_get_in_utc(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    body = timed(
        "2030-01-08T10:00:00",
        "2030-01-08T11:30:00",
        "Pacific Standard Time",
        subject="Weekly sync",
        body={"contentType": "html", "content": "<p>Agenda: <b>sync</b></p>"},
        attendees=[{"emailAddress": {"address": "grace@example.com"}, "type": "required"}],
    )
    created = await sandbox.create_event(user, body)
    assert created["start"] == {
        "dateTime": "2030-01-08T10:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }
    assert created["originalStartTimeZone"] == "Pacific Standard Time"
    assert created["type"] == "singleInstance"
    assert created["seriesMasterId"] is None
    assert created["isOrganizer"] is True
    assert created["organizer"] == {"emailAddress": {"name": "Ada", "address": "ada@example.com"}}
    assert created["attendees"] == [
        {
            "type": "required",
            "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
            "emailAddress": {"name": "Grace", "address": "grace@example.com"},
        }
    ]
    assert created["bodyPreview"] == "Agenda: sync"
    assert created["@odata.etag"] == f'W/"{created["changeKey"]}"'
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", created["createdDateTime"])
    assert created["iCalUId"].startswith("040000008200E00074C5B7101A82E008")
    fetched = await sandbox.client.get(f"{API}/me/events/{created['id']}", headers=user.headers)
    assert fetched.json()["start"] == {"dateTime": "2030-01-08T18:00:00.0000000", "timeZone": "UTC"}
    shown = await sandbox.client.get(
        f"{API}/me/events/{created['id']}",
        headers={**user.headers, "Prefer": 'outlook.timezone="W. Europe Standard Time"'},
    )
    assert shown.json()["end"] == {
        "dateTime": "2030-01-08T20:30:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    assert shown.headers["preference-applied"] == 'outlook.timezone="W. Europe Standard Time"'


async def test_iana_zones_are_stored_under_their_windows_name(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    created = await sandbox.create_event(
        user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", "Europe/Berlin")
    )
    assert created["originalStartTimeZone"] == "W. Europe Standard Time"
    assert created["start"]["timeZone"] == "Europe/Berlin"
    bad = await sandbox.client.post(
        f"{API}/me/events",
        json=timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", "Mars/Olympus"),
        headers=user.headers,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "TimeZoneNotSupportedException"


async def test_teams_meetings_get_a_join_url(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    created = await sandbox.create_event(
        user,
        timed(
            "2030-01-08T10:00:00",
            "2030-01-08T11:00:00",
            isOnlineMeeting=True,
            onlineMeetingProvider="teamsForBusiness",
        ),
    )
    assert created["isOnlineMeeting"] is True
    assert created["onlineMeetingProvider"] == "teamsForBusiness"
    assert created["onlineMeetingUrl"] is None
    assert TEAMS_JOIN.match(created["onlineMeeting"]["joinUrl"]), created["onlineMeeting"]
    assert created["location"]["displayName"] == "Microsoft Teams Meeting"
    assert created["onlineMeeting"]["joinUrl"] in created["body"]["content"]
    plain = await sandbox.create_event(user, timed("2030-01-08T12:00:00", "2030-01-08T13:00:00"))
    assert plain["isOnlineMeeting"] is False
    assert plain["onlineMeeting"] is None


async def test_patch_and_delete(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    created = await sandbox.create_event(user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"))
    url = f"{API}/me/events/{created['id']}"
    patched = await sandbox.client.patch(url, json={"subject": "Moved"}, headers=user.headers)
    assert patched.status_code == 200
    assert patched.json()["subject"] == "Moved"
    assert patched.json()["changeKey"] != created["changeKey"]
    unknown = await sandbox.client.patch(url, json={"colour": "red"}, headers=user.headers)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "RequestBodyRead"
    backwards = await sandbox.client.patch(
        url,
        json={"end": {"dateTime": "2030-01-08T09:00:00", "timeZone": "UTC"}},
        headers=user.headers,
    )
    assert backwards.status_code == 400
    assert (await sandbox.client.delete(url, headers=user.headers)).status_code == 204
    gone = await sandbox.client.get(url, headers=user.headers)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ErrorItemNotFound"


async def test_events_per_calendar_and_select(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    team = await sandbox.client.post(
        f"{API}/me/calendars", json={"name": "Team"}, headers=user.headers
    )
    team_id = team.json()["id"]
    await sandbox.create_event(
        user,
        timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", subject="team"),
        f"/me/calendars/{team_id}/events",
    )
    await sandbox.create_event(
        user, timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", subject="me")
    )
    in_team = await sandbox.client.get(
        f"{API}/me/calendars/{team_id}/events?$select=subject", headers=user.headers
    )
    assert [e["subject"] for e in in_team.json()["value"]] == ["team"]
    assert set(in_team.json()["value"][0]) == {"@odata.etag", "id", "subject"}
    default = await sandbox.client.get(f"{API}/me/events", headers=user.headers)
    assert [e["subject"] for e in default.json()["value"]] == ["me"]


async def test_all_day_events_keep_their_dates(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    created = await sandbox.create_event(
        user,
        timed("2030-01-08T00:00:00", "2030-01-09T00:00:00", "Tokyo Standard Time", isAllDay=True),
    )
    fetched = await sandbox.client.get(f"{API}/me/events/{created['id']}", headers=user.headers)
    assert fetched.json()["isAllDay"] is True
    assert fetched.json()["start"] == {"dateTime": "2030-01-08T00:00:00.0000000", "timeZone": "UTC"}
    bad = await sandbox.client.post(
        f"{API}/me/events",
        json=timed("2030-01-08T10:00:00", "2030-01-09T00:00:00", isAllDay=True),
        headers=user.headers,
    )
    assert bad.status_code == 400
