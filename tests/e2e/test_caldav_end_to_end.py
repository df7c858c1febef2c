"""End to end through the public API (and the `events.changed` topic, for what only the services
see): a real Radicale calendar synced by the four services."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import caldav
import httpx
import psutil
import pytest

from shared.contracts import topics
from shared.contracts.events import CalendarEventChanged
from tests.e2e.conftest import RunningSystem, wait_for_line
from tests.e2e.topics import payloads_until
from tests.servers import Radicale

pytestmark = pytest.mark.e2e

TZ_BLOCK = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
"""


def _ics(uid: str, body: str, with_tz: bool = False) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//rollcall-tests//EN\n"
        + (TZ_BLOCK if with_tz else "")
        + f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\n{body}END:VEVENT\nEND:VCALENDAR\n"
    )


@pytest.fixture(scope="module")
def calendar_url(radicale: Radicale) -> Iterator[str]:
    """Alice's work calendar with a timed (Berlin), an all-day and a past event."""
    soon = datetime.now(UTC) + timedelta(days=3)
    day = soon.strftime("%Y%m%d")
    with caldav.DAVClient(url=radicale.url, username="alice", password="alice-secret") as client:
        cal = client.principal().make_calendar(
            name="Work", cal_id="work", supported_calendar_component_set=["VEVENT"]
        )
        cal.add_event(
            _ics(
                "standup",
                (
                    f"SUMMARY:Standup\nDTSTART;TZID=Europe/Berlin:{day}T100000\n"
                    f"DTEND;TZID=Europe/Berlin:{day}T103000\nLOCATION:Room 1\n"
                    "DESCRIPTION:Daily sync\nORGANIZER;CN=Alice:mailto:alice@example.com\n"
                    "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\n"
                ),
                with_tz=True,
            )
        )
        cal.add_event(_ics("offsite", f"SUMMARY:Offsite\nDTSTART;VALUE=DATE:{day}\n"))
        # Yesterday: past, but inside the default window (one day back).
        past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y%m%d")
        cal.add_event(
            _ics("retro", f"SUMMARY:Old retro\nDTSTART:{past}T000500Z\nDTEND:{past}T003000Z\n")
        )
        yield str(cal.url)


def _client(system: RunningSystem, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=system.gateway_url,
        timeout=15,
        headers={"Authorization": f"Bearer {key or system.api_key}"},
    )


def _eventually(check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.2)


def _connect(api: httpx.Client, radicale: Radicale, password: str, **extra: Any) -> str:
    response = api.post(
        "/v1/calendars",
        json={
            "provider": "caldav",
            "credentials": {"url": radicale.url, "username": "alice", "password": password},
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "connecting"
    assert "password" not in response.text
    return str(body["id"])


def _state(api: httpx.Client, calendar_id: str, wanted: str) -> dict[str, Any] | None:
    body: dict[str, Any] = api.get(f"/v1/calendars/{calendar_id}").json()
    return body if body["state"] == wanted else None


def _events(api: httpx.Client, calendar_id: str, **params: str) -> list[dict[str, Any]]:
    response = api.get("/v1/calendar_events", params={"calendar_id": calendar_id, **params})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_startup_prints_the_contract_lines_and_is_ready(system: RunningSystem) -> None:
    assert system.api_key == "rk_e2e_fixed_key_0123456789"
    assert httpx.get(f"{system.gateway_url}/readyz", timeout=5).status_code == 200
    assert httpx.get(f"{system.gateway_url}/healthz", timeout=5).status_code == 200
    assert "/v1/calendars" in httpx.get(f"{system.gateway_url}/openapi.json").json()["paths"]
    prefixes = {line.split("|")[0].strip() for line in system.lines if "|" in line}
    assert {"gateway", "connector", "syncer", "scheduler", "sandbox"} <= prefixes
    sandbox = wait_for_line(system.lines, r"^ROLLCALL_SANDBOX_URL=(\S+)$", 1)
    assert httpx.get(f"{sandbox}/healthz", timeout=5).status_code == 200


def test_a_caldav_calendar_syncs_end_to_end(
    system: RunningSystem, radicale: Radicale, calendar_url: str
) -> None:
    with _client(system) as api:
        calendar_id = _connect(api, radicale, "alice-secret")
        calendar = _eventually(lambda: _state(api, calendar_id, "connected"))
        assert calendar["platform_uuid"] == calendar_url
        assert calendar["name"] == "Work"
        assert calendar["connection_failure_data"] is None
        assert calendar["last_successful_sync_at"].endswith("Z")
        _eventually(lambda: api.get(f"/v1/calendars/{calendar_id}").json()["event_count"] == 3)

        every = _events(api, calendar_id, when="all", ordering="start_time")
        assert [e["title"] for e in every] == ["Old retro", "Offsite", "Standup"]
        upcoming = {e["title"]: e for e in _events(api, calendar_id)}
        assert set(upcoming) == {"Offsite", "Standup"}
        standup = upcoming["Standup"]
        assert standup["time_zone"] == "Europe/Berlin"
        assert standup["start_time"].endswith(":00:00Z") and not standup["is_all_day"]
        assert standup["organizer"]["email"] == "alice@example.com"
        assert standup["attendees"][0]["response_status"] == "accepted"
        assert standup["location"] == "Room 1" and standup["description"] == "Daily sync"
        offsite = upcoming["Offsite"]
        assert offsite["is_all_day"] and len(offsite["start_time"]) == 10
        assert api.get(f"/v1/calendar_events/{standup['id']}").json()["title"] == "Standup"

        page = api.get(
            "/v1/calendar_events", params={"calendar_id": calendar_id, "when": "all", "limit": 2}
        ).json()
        assert len(page["results"]) == 2 and page["next"]
        rest = api.get(
            "/v1/calendar_events",
            params={"calendar_id": calendar_id, "when": "all", "limit": 2, "cursor": page["next"]},
        ).json()
        assert [e["title"] for e in rest["results"]] == ["Standup"] and rest["next"] is None

        with caldav.DAVClient(url=radicale.url, username="alice", password="alice-secret") as c:
            cal = c.calendar(url=calendar_url)
            event = cal.get_event_by_uid("standup")
            event.icalendar_component["SUMMARY"] = "Standup (moved)"
            event.save()
            cal.get_event_by_uid("retro").delete()
        assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202

        def changed() -> bool:
            titles = {e["title"] for e in _events(api, calendar_id, when="all")}
            return titles == {"Offsite", "Standup (moved)"}

        _eventually(changed)
        deleted = _events(api, calendar_id, when="all", include_deleted="true")
        assert {e["title"] for e in deleted if e["is_deleted"]} == {"Old retro"}

        assert api.delete(f"/v1/calendars/{calendar_id}").status_code == 204
        assert api.get(f"/v1/calendars/{calendar_id}").status_code == 404
        assert api.get(f"/v1/calendar_events/{standup['id']}").status_code == 404

    # The syncer announced each live event of the deleted calendar as `deleted`, last.
    def deleted_all(changes: list[dict[str, Any]]) -> bool:
        return sum(c["change"] == "deleted" for c in changes) >= 3  # with Old retro's, earlier

    changes = payloads_until(
        system.kafka_bootstrap,
        topics.EVENTS_CHANGED,
        calendar_id,
        CalendarEventChanged.TYPE,
        deleted_all,
    )
    last_two = changes[-2:]
    assert {c["event"]["title"] for c in last_two} == {"Offsite", "Standup (moved)"}
    assert all(c["change"] == "deleted" and c["event"]["is_deleted"] for c in last_two)
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions) and versions[-1] == versions[-2] + 1


# DESCRIPTION text (RFC 5545 escapes), folded inside the wrapped link as a producer may fold it.
ZOOM_INVITATION = (
    "Alice Example is inviting you to a scheduled Zoom meeting.\\n\\nJoin Zoom Meeting\\n"
    "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fus02web.zo\n "
    "om.us%2Fj%2F85551234567%3Fpwd%3DAbC123xyz.1&data=05%7C02%7Cbob%40example.com&reserved=0"
    "\\n\\nMeeting ID: 855 5123 4567\\nPasscode: 438211\\n"
)


def test_a_meeting_link_only_in_the_description_reaches_the_api(
    system: RunningSystem, radicale: Radicale
) -> None:
    """Bob's calendar: a Zoom invitation (its link SafeLinks-wrapped and folded) in the
    DESCRIPTION and nowhere else, and an event without a link."""
    day = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y%m%d")
    with caldav.DAVClient(url=radicale.url, username="bob", password="bob-secret") as client:
        cal = client.principal().make_calendar(
            name="Meetings", cal_id="meetings", supported_calendar_component_set=["VEVENT"]
        )
        cal.add_event(
            _ics(
                "zoom-review",
                f"SUMMARY:Zoom review\nDTSTART:{day}T150000Z\nDTEND:{day}T160000Z\n"
                f"LOCATION:Room 2\nDESCRIPTION:{ZOOM_INVITATION}\n",
            )
        )
        cal.add_event(_ics("lunch", f"SUMMARY:Lunch\nDTSTART:{day}T120000Z\nDTEND:{day}T130000Z\n"))
    with _client(system) as api:
        response = api.post(
            "/v1/calendars",
            json={
                "provider": "caldav",
                "credentials": {"url": radicale.url, "username": "bob", "password": "bob-secret"},
            },
        )
        assert response.status_code == 201, response.text
        calendar_id = response.json()["id"]
        _eventually(lambda: _state(api, calendar_id, "connected"))
        _eventually(lambda: len(_events(api, calendar_id)) == 2)

        events = {e["title"]: e for e in _events(api, calendar_id)}
        assert events["Zoom review"]["meeting"] == {
            "url": "https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1",
            "platform": "zoom",
            "meeting_id": "85551234567",
            "passcode": "438211",
            "key": "zoom:85551234567",
        }
        assert events["Lunch"]["meeting"] is None
        with_meeting = _events(api, calendar_id, has_meeting="true", platform="zoom")
        assert [e["title"] for e in with_meeting] == ["Zoom review"]
        assert [e["title"] for e in _events(api, calendar_id, has_meeting="false")] == ["Lunch"]
        assert api.delete(f"/v1/calendars/{calendar_id}").status_code == 204


def test_wrong_password_disconnects_without_a_crash_loop(
    system: RunningSystem, radicale: Radicale, calendar_url: str
) -> None:
    with _client(system) as api:
        calendar_id = _connect(api, radicale, "wrong-password")
        calendar = _eventually(lambda: _state(api, calendar_id, "disconnected"))
        failure = calendar["connection_failure_data"]
        assert failure["reason"] == "invalid_credentials" and failure["at"].endswith("Z")
        assert "wrong-password" not in str(calendar)
    assert not any("wrong-password" in line for line in system.lines)
    assert not any("exited with" in line for line in system.lines)


def test_unreachable_server_disconnects(system: RunningSystem) -> None:
    from rollcall.dev.ports import free_port

    with _client(system) as api:
        response = api.post(
            "/v1/calendars",
            json={
                "provider": "caldav",
                "credentials": {
                    "url": f"http://127.0.0.1:{free_port()}/",
                    "username": "x",
                    "password": "y",
                },
            },
        )
        assert response.status_code == 201, response.text
        calendar = _eventually(lambda: _state(api, response.json()["id"], "disconnected"))
        assert calendar["connection_failure_data"]["reason"] == "unreachable"


def test_api_keys_bad_input_and_tenant_isolation(system: RunningSystem, radicale: Radicale) -> None:
    with _client(system) as api:
        calendar_id = _connect(api, radicale, "alice-secret")
        body = {
            "provider": "caldav",
            "credentials": {"url": radicale.url, "username": "bob", "password": "bob-secret"},
        }
        once = api.post("/v1/calendars", json=body, headers={"Idempotency-Key": "connect-bob"})
        twice = api.post("/v1/calendars", json=body, headers={"Idempotency-Key": "connect-bob"})
        assert once.status_code == twice.status_code == 201
        assert once.json()["id"] == twice.json()["id"]
        bad = api.post(
            "/v1/calendars", json={"provider": "caldav", "credentials": {}, "unexpected": 1}
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        fields = {e["field"] for e in bad.json()["errors"]}
        assert "unexpected" in fields
        assert api.get("/v1/calendar_events", params={"cursor": "garbage!"}).status_code == 422
    assert httpx.get(f"{system.gateway_url}/v1/calendars").status_code == 401
    with _client(system, "rk_not_a_real_key_000000") as stranger:
        assert stranger.get("/v1/calendars").status_code == 401

    output = system.cli("projects", "create", "other")
    other_key = next(
        line.split("=", 1)[1]
        for line in output.splitlines()
        if line.startswith("ROLLCALL_API_KEY=")
    )
    with _client(system, other_key) as other:
        assert other.get(f"/v1/calendars/{calendar_id}").status_code == 404
        assert other.post(f"/v1/calendars/{calendar_id}/resync").status_code == 404
        assert other.delete(f"/v1/calendars/{calendar_id}").status_code == 404
        assert other.get("/v1/calendars").json()["results"] == []


@pytest.mark.stops_system
def test_ctrl_c_stops_everything(system: RunningSystem) -> None:
    """Last test of the module: SIGINT stops the services, the broker and the postmaster."""
    children = psutil.Process(system.process.pid).children(recursive=True)
    assert len(children) >= 5  # four services and the broker
    postmasters = [
        p
        for p in psutil.process_iter(["cmdline"])
        if str(system.state_dir) in " ".join(p.info["cmdline"] or [])
    ]
    assert postmasters, "the embedded postmaster should run under the state folder"
    system.process.send_signal(signal.SIGINT)
    assert system.process.wait(60) == 0
    _, alive = psutil.wait_procs(children + postmasters, timeout=10)
    assert alive == []
    assert os.listdir(system.state_dir) == []
