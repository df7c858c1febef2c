"""Microsoft push end to end, through the public API only, against the system `make run` starts
(PUBLIC_BASE_URL is the gateway, which answers Graph's validation handshake; the sandbox may
push to loopback): a connected calendar shows its Graph subscription, a change made through
the sandbox's Graph API reaches `GET /v1/calendar_events` by push alone (the poll interval is
2 s, but a calendar with a live subscription is only reconciled every 6 h), a bad clientState
is refused and counted, `reauthorizationRequired` makes the connector renew the subscription
(PATCH), `subscriptionRemoved` makes it subscribe anew (and push works again), and deleting
the calendar deletes its subscription.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.push_tokens import channel_token, client_state
from tests.e2e.conftest import E2E_PUSH_SECRET, RunningSystem
from tests.e2e.public_api import (
    calendar_in_state,
    connect_calendar,
    event_titles,
    get_calendar,
    wait_for,
)
from tests.e2e.test_microsoft_end_to_end import MicrosoftAccount, MicrosoftSandbox

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def microsoft(system: RunningSystem) -> Iterator[MicrosoftSandbox]:
    system.secrets.append(E2E_PUSH_SECRET)
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield MicrosoftSandbox(client, system)


def _pushed_calendar(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> tuple[MicrosoftAccount, str]:
    account = microsoft.account()
    microsoft.insert(account, "Before push")
    calendar_id = connect_calendar(api, "microsoft", account.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Before push"})
    wait_for(lambda: get_calendar(api, calendar_id)["push"], timeout=20)
    return account, calendar_id


def _subscriptions(microsoft: MicrosoftSandbox, account: MicrosoftAccount) -> list[Any]:
    found: list[Any] = microsoft.graph(account, "GET", "/subscriptions")["value"]
    return found


def _only_subscription(microsoft: MicrosoftSandbox, account: MicrosoftAccount) -> dict[str, Any]:
    [subscription] = _subscriptions(microsoft, account)
    return dict(subscription)


def _calls(microsoft: MicrosoftSandbox, method: str, subscription_id: str) -> list[int]:
    """The statuses of `method` calls on one subscription, in order."""
    path = f"/v1.0/subscriptions/{subscription_id}"
    return [
        r["status"]
        for r in microsoft.requests()
        if r["method"] == method and r["path"].endswith(path)
    ]


def _delta_listings(api: httpx.Client, microsoft: MicrosoftSandbox, calendar_id: str) -> int:
    """How many delta calls the connector made for the calendar (one per sync here)."""
    graph_calendar = get_calendar(api, calendar_id)["platform_uuid"]
    return sum(
        1
        for r in microsoft.requests()
        if graph_calendar in r["path"] and r["path"].endswith("/calendarView/delta")
    )


def _rejected(system: RunningSystem) -> float:
    text = httpx.get(f"{system.gateway_url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "rollcall_push_notifications_total" and sample.labels == {
                "provider": "microsoft",
                "outcome": "rejected",
            }:
                return sample.value
    return 0.0


def _lifecycle(microsoft: MicrosoftSandbox, subscription_id: str, event: str) -> None:
    path = f"/_admin/microsoft/subscriptions/{subscription_id}/lifecycle"
    response = microsoft.client.post(path, json={"event": event})
    assert response.status_code == 202, response.text


def test_push_shows_and_a_change_arrives_by_push_alone(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    account, calendar_id = _pushed_calendar(api, microsoft)
    push = get_calendar(api, calendar_id)["push"]
    assert push["kind"] == "microsoft_subscription"
    expires = datetime.fromisoformat(push["expires_at"])
    assert timedelta(hours=69) < expires - datetime.now(UTC) <= timedelta(hours=70)
    subscription = _only_subscription(microsoft, account)
    assert subscription["notificationUrl"].endswith("/v1/push/microsoft")
    assert subscription["resource"].endswith("/events")

    time.sleep(3)  # past the 2 s poll interval: only push can bring the next change
    listings = _delta_listings(api, microsoft, calendar_id)
    microsoft.insert(account, "By push")
    wanted = {"Before push", "By push"}
    wait_for(lambda: set(event_titles(api, calendar_id)) == wanted, timeout=10)
    assert _delta_listings(api, microsoft, calendar_id) - listings <= 2  # push, not polling


def test_a_bad_client_state_is_refused_and_counted(
    api: httpx.Client, microsoft: MicrosoftSandbox, system: RunningSystem
) -> None:
    _, calendar_id = _pushed_calendar(api, microsoft)
    time.sleep(1)
    listings = _delta_listings(api, microsoft, calendar_id)
    before = _rejected(system)
    channel_id = f"{calendar_id}.forged"
    forged = [
        "not-a-client-state",
        f"{channel_id}.not-the-token",
        client_state(channel_id, channel_token("another-secret", channel_id)),
    ]
    body = {
        "value": [
            {"subscriptionId": "s", "changeType": "updated", "clientState": s} for s in forged
        ]
    }
    url = f"{system.gateway_url}/v1/push/microsoft"
    response = httpx.post(url, json=body, timeout=10)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _rejected(system) == before + 3
    time.sleep(2)
    assert _delta_listings(api, microsoft, calendar_id) == listings  # no sync came of it


def test_reauthorization_required_makes_the_connector_renew_the_subscription(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    account, calendar_id = _pushed_calendar(api, microsoft)
    subscription_id = _only_subscription(microsoft, account)["id"]
    _lifecycle(microsoft, subscription_id, "reauthorizationRequired")
    wait_for(lambda: _calls(microsoft, "PATCH", subscription_id) == [200], timeout=15)
    assert _only_subscription(microsoft, account)["id"] == subscription_id
    assert get_calendar(api, calendar_id)["push"]["kind"] == "microsoft_subscription"


def test_a_removed_subscription_is_replaced_and_push_works_again(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    account, calendar_id = _pushed_calendar(api, microsoft)
    removed = _only_subscription(microsoft, account)["id"]
    _lifecycle(microsoft, removed, "subscriptionRemoved")
    renewed = wait_for(
        lambda: [s for s in _subscriptions(microsoft, account) if s["id"] != removed], timeout=15
    )
    assert len(renewed) == 1 and _subscriptions(microsoft, account) == renewed
    wait_for(lambda: get_calendar(api, calendar_id)["push"], timeout=10)

    time.sleep(3)  # past the poll interval again: push alone
    microsoft.insert(account, "After the new subscription")
    wanted = {"Before push", "After the new subscription"}
    wait_for(lambda: set(event_titles(api, calendar_id)) == wanted, timeout=10)


def test_deleting_the_calendar_deletes_its_subscription(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    account, calendar_id = _pushed_calendar(api, microsoft)
    subscription_id = _only_subscription(microsoft, account)["id"]
    assert api.delete(f"/v1/calendars/{calendar_id}").status_code == 204
    wait_for(lambda: _calls(microsoft, "DELETE", subscription_id) == [204], timeout=15)
    assert _subscriptions(microsoft, account) == []
