"""Google push end to end, through the public API only, against the system `make run` starts
(PUBLIC_BASE_URL is the gateway; the sandbox may push to loopback): a connected calendar shows
its watch channel, a change made through the sandbox's Calendar API reaches
`GET /v1/calendar_events` by push alone (the poll interval is 2 s, but a calendar with a live
channel is only reconciled every 6 h), a bad channel token is refused and counted, a flood of
100 notifications makes at most 2 syncs, and deleting the calendar stops its channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.push_tokens import channel_token
from tests.e2e.conftest import E2E_PUSH_SECRET, RunningSystem
from tests.e2e.public_api import (
    calendar_in_state,
    connect_calendar,
    event_titles,
    get_calendar,
    push_notifications,
    wait_for,
)
from tests.e2e.test_google_end_to_end import GoogleAccount, GoogleSandbox

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def google(system: RunningSystem) -> Iterator[GoogleSandbox]:
    system.secrets.append(E2E_PUSH_SECRET)
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield GoogleSandbox(client, system)


def _pushed_calendar(api: httpx.Client, google: GoogleSandbox) -> tuple[GoogleAccount, str]:
    account = google.account()
    google.insert(account, "Before push")
    calendar_id = connect_calendar(api, "google", account.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Before push"})
    wait_for(lambda: get_calendar(api, calendar_id)["push"], timeout=20)
    return account, calendar_id


def _event_listings(google: GoogleSandbox, account: GoogleAccount) -> int:
    """How many `events.list` calls the connector made for the account (one per sync here)."""
    local = account.email.split("@")[0]
    return sum(
        1
        for r in google.requests()
        if r["method"] == "GET" and local in r["path"] and r["path"].endswith("/events")
    )


def _notify(system: RunningSystem, channel_id: str, token: str | None) -> int:
    headers = {
        "X-Goog-Channel-ID": channel_id,
        "X-Goog-Resource-ID": "resource",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "7",
    }
    if token is not None:
        headers["X-Goog-Channel-Token"] = token
    url = f"{system.gateway_url}/v1/push/google"
    return httpx.post(url, headers=headers, timeout=10).status_code


def test_push_shows_and_a_change_arrives_without_anyrequest_resync(
    api: httpx.Client, google: GoogleSandbox
) -> None:
    account, calendar_id = _pushed_calendar(api, google)
    push = get_calendar(api, calendar_id)["push"]
    assert push["kind"] == "google_watch"
    expires = datetime.fromisoformat(push["expires_at"])
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)

    time.sleep(3)  # past the 2 s poll interval: only push can bring the next change
    listings = _event_listings(google, account)
    google.insert(account, "By push")
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Before push", "By push"}, timeout=10)
    assert _event_listings(google, account) - listings <= 2  # the push sync, not polling


def test_a_bad_channel_token_is_refused_and_counted(
    api: httpx.Client, google: GoogleSandbox, system: RunningSystem
) -> None:
    account, calendar_id = _pushed_calendar(api, google)
    time.sleep(1)
    listings = _event_listings(google, account)
    before = push_notifications(system.gateway_url, "google", "rejected")
    channel_id = f"{calendar_id}.forged"
    assert _notify(system, channel_id, "not-the-token") == 401
    assert _notify(system, channel_id, None) == 401
    assert _notify(system, channel_id, channel_token("another-secret", channel_id)) == 401
    assert push_notifications(system.gateway_url, "google", "rejected") == before + 3
    time.sleep(2)
    assert _event_listings(google, account) == listings  # no sync came of them


def test_a_flood_of_100_notifications_makes_at_most_2_syncs(
    api: httpx.Client, google: GoogleSandbox, system: RunningSystem
) -> None:
    account, calendar_id = _pushed_calendar(api, google)
    time.sleep(1)
    listings = _event_listings(google, account)
    channel_id = f"{calendar_id}.flood"
    token = channel_token(E2E_PUSH_SECRET, channel_id)
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: _notify(system, channel_id, token), range(100)))
    assert statuses == [200] * 100
    wait_for(lambda: _event_listings(google, account) > listings, timeout=10)
    # The gateway's trailing hint comes 5 s after the first; any sync the flood caused has run
    # by 8 s.
    time.sleep(8)
    assert 1 <= _event_listings(google, account) - listings <= 2


def test_deleting_the_calendar_stops_its_channel(api: httpx.Client, google: GoogleSandbox) -> None:
    _, calendar_id = _pushed_calendar(api, google)
    stops = sum(1 for r in google.requests() if r["path"].endswith("/channels/stop"))
    assert api.delete(f"/v1/calendars/{calendar_id}").status_code == 204
    wait_for(
        lambda: (
            sum(
                1
                for r in google.requests()
                if r["path"].endswith("/channels/stop") and r["status"] == 204
            )
            > stops
        ),
        timeout=15,
    )
