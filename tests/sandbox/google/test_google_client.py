"""Proof: Google's own `google-api-python-client` (its shipped static discovery document) and
`google-auth` work unchanged against a real running sandbox, only the endpoints pointed at it.

`api_endpoint` replaces the discovery document's whole base URL (`rootUrl` + `servicePath`,
`https://www.googleapis.com/calendar/v3/`), so it is `<sandbox>/google/calendar/v3/`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from rollcall.dev.ports import free_port
from sandbox.app import create_app
from sandbox.google import google_provider
from sandbox.settings import SandboxSettings


@dataclass
class Sandbox:
    url: str
    admin: httpx.Client


@dataclass
class Account:
    account_id: str
    credentials: Credentials
    service: Any


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """`create_app` with the Google provider, served by uvicorn on a free port in a thread."""
    app = create_app(SandboxSettings(google_meet_on_insert=False), providers=[google_provider])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the sandbox did not start"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=10) as admin:
        yield Sandbox(url, admin)
    server.should_exit = True
    thread.join(10)


def connect(sandbox: Sandbox, email: str) -> Account:
    """An account, and Google's client for it holding only a refresh token (as a connector does)."""
    created = sandbox.admin.post("/_admin/accounts", json={"provider": "google", "email": email})
    assert created.status_code == 201, created.text
    body = created.json()
    credentials = Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=body["refresh_token"],
        token_uri=f"{sandbox.url}/google/oauth2/token",
        client_id=body["client_id"],
        client_secret=body["client_secret"],
    )
    service = build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{sandbox.url}/google/calendar/v3/"},
    )
    return Account(body["account_id"], credentials, service)


def event(day: int, summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "start": {"dateTime": f"2030-05-{day:02d}T10:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": f"2030-05-{day:02d}T11:00:00", "timeZone": "Europe/Berlin"},
    }


def test_google_auth_refreshes_its_token_at_the_sandbox(sandbox: Sandbox) -> None:
    account = connect(sandbox, "refresh@example.com")
    calendars = account.service.calendarList().list().execute()
    assert [c["id"] for c in calendars["items"]] == ["refresh@example.com"]
    assert account.credentials.token and account.credentials.expiry is not None
    # A dead access token: the API's 401 makes the client refresh once and retry.
    account.credentials.token = "ya29.stale"
    assert account.service.calendars().get(calendarId="primary").execute()["id"] == (
        "refresh@example.com"
    )
    assert account.credentials.token != "ya29.stale"


def test_insert_patch_get_delete(sandbox: Sandbox) -> None:
    events = connect(sandbox, "crud@example.com").service.events()
    body = event(6, "Planning") | {
        "conferenceData": {
            "createRequest": {
                "requestId": "req-1",
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    }
    created = events.insert(calendarId="primary", body=body, conferenceDataVersion=1).execute()
    assert created["hangoutLink"].startswith("https://meet.google.com/")
    patched = events.patch(
        calendarId="primary", eventId=created["id"], body={"summary": "Planning (moved)"}
    ).execute()
    assert patched["summary"] == "Planning (moved)"
    assert patched["start"]["dateTime"] == "2030-05-06T10:00:00+02:00"
    assert events.delete(calendarId="primary", eventId=created["id"]).execute() == ""
    gone = events.get(calendarId="primary", eventId=created["id"]).execute()
    assert gone["status"] == "cancelled"
    with pytest.raises(HttpError) as raised:
        events.get(calendarId="primary", eventId="doesnotexist").execute()
    assert raised.value.resp.status == 404


def test_paginated_list_then_incremental_sync_then_410(sandbox: Sandbox) -> None:
    account = connect(sandbox, "sync@example.com")
    events = account.service.events()
    created = [
        events.insert(calendarId="primary", body=event(d, f"e{d}")).execute() for d in range(1, 8)
    ]
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    request = events.list(calendarId="primary", maxResults=3, singleEvents=True)
    while request is not None:
        page = request.execute()
        pages.append(page)
        seen += [item["id"] for item in page["items"]]
        request = events.list_next(request, page)
    assert sorted(seen) == sorted(e["id"] for e in created)
    assert len(pages) == 3
    assert all("nextSyncToken" not in p for p in pages[:-1])
    token = pages[-1]["nextSyncToken"]

    events.delete(calendarId="primary", eventId=created[0]["id"]).execute()
    added = events.insert(calendarId="primary", body=event(20, "late")).execute()
    changes = events.list(calendarId="primary", syncToken=token, singleEvents=True).execute()
    assert {c["id"]: c["status"] for c in changes["items"]} == {
        created[0]["id"]: "cancelled",
        added["id"]: "confirmed",
    }
    token = changes["nextSyncToken"]

    expired = sandbox.admin.post(
        "/_admin/sync_tokens/expire", json={"provider": "google", "account_id": account.account_id}
    )
    assert expired.status_code < 300, expired.text
    with pytest.raises(HttpError) as raised:
        events.list(calendarId="primary", syncToken=token, singleEvents=True).execute()
    assert raised.value.resp.status == 410
    assert raised.value.error_details[0]["reason"] == "fullSyncRequired"


@dataclass
class Receiver:
    """A threaded HTTP endpoint recording each notification's headers."""

    received: list[dict[str, str]] = field(default_factory=list)

    def wait_for(self, count: int, within: float = 5.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + within
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"got {len(self.received)} of {count} notifications"
            time.sleep(0.01)
        return self.received


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            found.received.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    thread.join(5)


def test_watch_and_channels_stop(sandbox: Sandbox, receiver: tuple[Receiver, str]) -> None:
    found, address = receiver
    service = connect(sandbox, "push@example.com").service
    channel = (
        service.events()
        .watch(
            calendarId="primary",
            body={"id": "client-channel", "type": "web_hook", "address": address, "token": "t0k"},
        )
        .execute()
    )
    assert channel["kind"] == "api#channel" and channel["resourceId"]
    assert found.wait_for(1)[0]["x-goog-resource-state"] == "sync"
    service.events().insert(calendarId="primary", body=event(9, "pushed")).execute()
    exists = found.wait_for(2)[1]
    assert exists["x-goog-resource-state"] == "exists"
    assert exists["x-goog-channel-token"] == "t0k"
    assert exists["x-goog-resource-id"] == channel["resourceId"]
    stopped = service.channels().stop(
        body={"id": channel["id"], "resourceId": channel["resourceId"]}
    )
    assert stopped.execute() == ""
    service.events().insert(calendarId="primary", body=event(10, "silent")).execute()
    time.sleep(0.1)
    assert len(found.received) == 2
    with pytest.raises(HttpError) as raised:
        service.channels().stop(
            body={"id": channel["id"], "resourceId": channel["resourceId"]}
        ).execute()
    assert raised.value.resp.status == 404
