"""Zoom push end to end, through the public API only, against the system `make run` starts: in
dev mode the gateway's receiver and a webhook secret are registered with the sandbox's default
Zoom app (as a tenant does in Zoom's app settings) and the dev project holds that secret;
Zoom's URL validation challenge passes; a verified meeting event hints a sync of its host's
calendar, which then shows `push {kind: zoom_webhook}` (Zoom's app webhooks speed syncs up but
never replace polling); deliveries signed with another secret, unsigned or stale are refused
with 401 problems and counted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.public_api import (
    calendar_in_state,
    connect_calendar,
    event_titles,
    get_calendar,
    push_notifications,
    wait_for,
)
from tests.e2e.test_zoom_end_to_end import ZoomSandbox

pytestmark = pytest.mark.e2e

DEFAULT_APP = "sandbox-zoom-client"


@pytest.fixture(scope="module")
def zoom(system: RunningSystem) -> Iterator[ZoomSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield ZoomSandbox(client, system)


def test_dev_mode_registered_the_receiver_with_the_default_zoom_app(
    system: RunningSystem, zoom: ZoomSandbox
) -> None:
    hook = zoom.client.get(f"/_admin/apps/{DEFAULT_APP}/webhook")
    assert hook.status_code == 200, hook.text
    assert hook.json()["url"] == f"{system.gateway_url}/v1/push/zoom"
    assert hook.json()["validated"] is True
    system.secrets.append(hook.json()["secret_token"])
    before = push_notifications(system.gateway_url, "zoom", "validation")
    # Zoom re-runs the challenge every 72 h; it must keep passing.
    again = zoom.client.post(f"/_admin/apps/{DEFAULT_APP}/webhook/validate")
    assert again.status_code == 200, again.text
    assert push_notifications(system.gateway_url, "zoom", "validation") == before + 1


def test_a_meeting_made_in_zoom_reaches_the_api_by_webhook(
    api: httpx.Client, system: RunningSystem, zoom: ZoomSandbox
) -> None:
    ada = zoom.account()
    zoom.create(ada, "Before push")
    calendar_id = connect_calendar(api, "zoom", ada.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    wait_for(lambda: event_titles(api, calendar_id) == ["Before push"])
    assert get_calendar(api, calendar_id)["push"] is None  # no delivery has reached it yet

    hinted = push_notifications(system.gateway_url, "zoom", "hinted")
    zoom.create(ada, "First by webhook")
    wait_for(lambda: "First by webhook" in event_titles(api, calendar_id), timeout=20)
    push = wait_for(lambda: get_calendar(api, calendar_id)["push"], timeout=20)
    assert push["kind"] == "zoom_webhook" and push["expires_at"]
    assert push_notifications(system.gateway_url, "zoom", "hinted") >= hinted + 1

    # Zoom's app webhooks never replace polling (they name a meeting's host only on some
    # events), but each one makes the host's calendar sync at once.
    before = _verified_events(system)
    zoom.create(ada, "Second by webhook")
    wait_for(lambda: "Second by webhook" in event_titles(api, calendar_id), timeout=15)
    wait_for(lambda: _verified_events(system) > before)


def _verified_events(system: RunningSystem) -> float:
    """Verified meeting events that hinted a calendar's sync (at once, or coalesced into the
    trailing hint of the 5 s window)."""
    outcomes = ("hinted", "coalesced")
    return sum(push_notifications(system.gateway_url, "zoom", o) for o in outcomes)


def _delivery(secret: str, body: dict[str, object], at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    raw = json.dumps(body)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{raw}".encode(), hashlib.sha256)
    return {
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": f"v0={digest.hexdigest()}",
        "content-type": "application/json",
        "body": raw,
    }


def test_deliveries_not_signed_by_a_project_are_refused_and_counted(
    system: RunningSystem, zoom: ZoomSandbox
) -> None:
    secret = zoom.client.get(f"/_admin/apps/{DEFAULT_APP}/webhook").json()["secret_token"]
    event = {"event": "meeting.created", "payload": {"object": {"id": 1, "host_id": "u1"}}}
    forged = _delivery("not-the-secret", event)
    stale = _delivery(secret, event, at=time.time() - 3600)
    unsigned = {"content-type": "application/json", "body": json.dumps(event)}
    before = push_notifications(system.gateway_url, "zoom", "rejected")
    for delivery in (forged, stale, unsigned):
        body = delivery.pop("body")
        answer = httpx.post(
            f"{system.gateway_url}/v1/push/zoom", content=body, headers=delivery, timeout=10
        )
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert push_notifications(system.gateway_url, "zoom", "rejected") == before + 3

    good = _delivery(secret, event)
    body = good.pop("body")
    answer = httpx.post(f"{system.gateway_url}/v1/push/zoom", content=body, headers=good)
    assert answer.status_code == 200  # signed by the dev project; no calendar of host u1
