"""Change-notification subscriptions (providers.md §2.5): the validation handshake against a real
receiver, the expiry cap, renew, reauthorize, delete, notifications carrying clientState within
milliseconds, dropped notifications under a fault, and lifecycle notifications from the admin."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.microsoft.conftest import API, Receiver, Sandbox, User, poll_until, timed

EVENT = timed("2030-01-08T10:00:00", "2030-01-08T11:00:00")


def request(receiver: Receiver, **extra: Any) -> dict[str, Any]:
    return {
        "changeType": "created,updated,deleted",
        "notificationUrl": receiver.url,
        "resource": "me/events",
        "expirationDateTime": "2030-01-10T09:00:00Z",
        "clientState": "secret-state",
        **extra,
    }


async def subscribe(
    sandbox: Sandbox, user: User, receiver: Receiver, **extra: Any
) -> dict[str, Any]:
    response = await sandbox.client.post(
        f"{API}/subscriptions", json=request(receiver, **extra), headers=user.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_validates_the_endpoint_first(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    created = await subscribe(sandbox, user, receiver)
    [validation] = receiver.validations
    token = validation.query["validationToken"][0]
    assert token.startswith("Validation: Testing client application reachability")
    assert validation.headers["content-type"].startswith("text/plain")
    assert created["resource"] == "me/events"
    assert created["changeType"] == "created,updated,deleted"
    assert created["clientState"] == "secret-state"
    assert created["expirationDateTime"] == "2030-01-10T09:00:00.0000000Z"
    assert created["applicationId"] == user.client_id
    listed = await sandbox.client.get(f"{API}/subscriptions", headers=user.headers)
    assert [s["id"] for s in listed.json()["value"]] == [created["id"]]
    one = await sandbox.client.get(f"{API}/subscriptions/{created['id']}", headers=user.headers)
    assert one.json() == created


@pytest.mark.parametrize(("answer", "status"), [("wrong", 200), (None, 500)])
async def test_a_failed_handshake_refuses_the_subscription(
    sandbox: Sandbox, receiver: Receiver, answer: str | None, status: int
) -> None:
    user = await sandbox.user()
    receiver.validation_answer, receiver.validation_status = answer, status
    response = await sandbox.client.post(
        f"{API}/subscriptions", json=request(receiver), headers=user.headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Subscription validation request failed.")
    assert (await sandbox.client.get(f"{API}/subscriptions", headers=user.headers)).json()[
        "value"
    ] == []


async def test_an_unreachable_endpoint_refuses_the_subscription(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    body = {**request(Receiver()), "notificationUrl": "http://127.0.0.1:9/nothing-listens"}
    response = await sandbox.client.post(f"{API}/subscriptions", json=body, headers=user.headers)
    assert response.status_code == 400


async def test_the_lifecycle_url_is_validated_too(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    body = request(receiver, lifecycleNotificationUrl="http://127.0.0.1:9/nothing-listens")
    response = await sandbox.client.post(f"{API}/subscriptions", json=body, headers=user.headers)
    assert response.status_code == 400


async def test_expiration_is_capped(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    too_far = request(receiver, expirationDateTime="2030-01-14T09:00:00Z")  # 10,080 minutes
    response = await sandbox.client.post(f"{API}/subscriptions", json=too_far, headers=user.headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ExtensionError"
    assert (
        response.json()["error"]["message"]
        == "Subscription expiration can only be 10070 minutes in the future."
    )
    at_cap = request(receiver, expirationDateTime="2030-01-14T08:50:00Z")
    assert (
        await sandbox.client.post(f"{API}/subscriptions", json=at_cap, headers=user.headers)
    ).status_code == 201


@pytest.mark.parametrize(
    "settings", [SandboxSettings(microsoft_subscription_max_minutes=4230)], indirect=True
)
async def test_the_cap_is_a_setting(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    response = await sandbox.client.post(
        f"{API}/subscriptions", json=request(receiver), headers=user.headers
    )
    assert (
        response.json()["error"]["message"]
        == "Subscription expiration can only be 4230 minutes in the future."
    )


@pytest.mark.parametrize(
    "settings", [SandboxSettings(allow_private_push_addresses=False)], indirect=True
)
async def test_private_notification_urls_are_refused_unless_allowed(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    user = await sandbox.user()
    for extra in ({}, {"notificationUrl": "ftp://example.com/hook"}):
        response = await sandbox.client.post(
            f"{API}/subscriptions", json=request(receiver, **extra), headers=user.headers
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "InvalidRequest"
    assert receiver.validations == []  # refused before any handshake


async def test_notifications_carry_client_state_within_milliseconds(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    user = await sandbox.user()
    subscription = await subscribe(sandbox, user, receiver)
    loop = asyncio.get_running_loop()
    began = loop.time()
    created = await sandbox.create_event(user, EVENT)
    [message] = await receiver.wait_for(1, within=1.0)
    latency = loop.time() - began
    assert latency < 0.5, latency
    [item] = json.loads(message.body)["value"]
    me = (await sandbox.client.get(f"{API}/me", headers=user.headers)).json()
    assert item["subscriptionId"] == subscription["id"]
    assert item["clientState"] == "secret-state"
    assert item["changeType"] == "created"
    assert item["resource"] == f"Users/{me['id']}/Events/{created['id']}"
    assert item["resourceData"]["id"] == created["id"]
    assert item["resourceData"]["@odata.type"] == "#Microsoft.Graph.Event"
    assert item["subscriptionExpirationDateTime"] == "2030-01-10T09:00:00Z"
    assert item["tenantId"] == "5f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
    assert message.path == "/hooks/graph"
    await sandbox.client.patch(
        f"{API}/me/events/{created['id']}", json={"subject": "x"}, headers=user.headers
    )
    await sandbox.client.delete(f"{API}/me/events/{created['id']}", headers=user.headers)
    await poll_until(
        lambda: sum(len(json.loads(m.body)["value"]) for m in receiver.notifications) == 3
    )
    kinds = [i["changeType"] for m in receiver.notifications for i in json.loads(m.body)["value"]]
    assert kinds == ["created", "updated", "deleted"]


async def test_change_types_and_calendars_filter_notifications(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    user = await sandbox.user()
    other = await sandbox.user("grace@example.com")
    team = (
        await sandbox.client.post(
            f"{API}/me/calendars", json={"name": "Team"}, headers=user.headers
        )
    ).json()
    await subscribe(
        sandbox, user, receiver, changeType="deleted", resource=f"me/calendars/{team['id']}/events"
    )
    in_default = await sandbox.create_event(user, EVENT)
    in_team = await sandbox.create_event(user, EVENT, f"/me/calendars/{team['id']}/events")
    await sandbox.create_event(other, EVENT)
    await sandbox.client.delete(f"{API}/me/events/{in_default['id']}", headers=user.headers)
    await sandbox.client.delete(f"{API}/me/events/{in_team['id']}", headers=user.headers)
    [message] = await receiver.wait_for(1)
    await sandbox.deliveries_done()
    assert len(receiver.notifications) == 1
    assert [i["resourceData"]["id"] for i in json.loads(message.body)["value"]] == [in_team["id"]]
    bad = await sandbox.client.post(
        f"{API}/subscriptions", json=request(receiver, resource="me/messages"), headers=user.headers
    )
    assert bad.status_code == 400
    foreign = await sandbox.client.post(
        f"{API}/subscriptions",
        json=request(receiver, resource="users/grace@example.com/events"),
        headers=user.headers,
    )
    assert foreign.status_code == 403


async def test_renew_reauthorize_delete_and_expiry(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    subscription = await subscribe(sandbox, user, receiver)
    url = f"{API}/subscriptions/{subscription['id']}"
    renewed = await sandbox.client.patch(
        url, json={"expirationDateTime": "2030-01-12T09:00:00Z"}, headers=user.headers
    )
    assert renewed.status_code == 200
    assert renewed.json()["expirationDateTime"] == "2030-01-12T09:00:00.0000000Z"
    too_far = await sandbox.client.patch(
        url, json={"expirationDateTime": "2030-02-12T09:00:00Z"}, headers=user.headers
    )
    assert too_far.json()["error"]["code"] == "ExtensionError"
    assert (
        await sandbox.client.post(f"{url}/reauthorize", headers=user.headers)
    ).status_code == 200
    other = await sandbox.user("grace@example.com")
    assert (await sandbox.client.get(url, headers=other.headers)).status_code == 404
    sandbox.clock.advance(5 * 24 * 3600)
    new_token = await sandbox.client.post(f"/_admin/accounts/{user.account_id}/token")
    headers = {"Authorization": f"Bearer {new_token.json()['access_token']}"}
    user = dataclasses.replace(user, headers=headers)
    assert (await sandbox.client.get(f"{API}/subscriptions", headers=headers)).json()["value"] == []
    assert (await sandbox.client.get(url, headers=headers)).status_code == 404
    second = await subscribe(
        sandbox,
        user,
        receiver,
        expirationDateTime="2030-01-13T09:00:00Z",
    )
    deleted = await sandbox.client.delete(f"{API}/subscriptions/{second['id']}", headers=headers)
    assert deleted.status_code == 204
    assert (
        await sandbox.client.delete(f"{API}/subscriptions/{second['id']}", headers=headers)
    ).status_code == 404
    await sandbox.create_event(user, EVENT)
    await sandbox.deliveries_done()
    assert receiver.notifications == []


async def test_a_drop_fault_loses_notifications(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    await subscribe(sandbox, user, receiver)
    await sandbox.client.post("/_admin/faults", json={"provider": "microsoft", "drop_push": 1})
    first = await sandbox.create_event(user, EVENT)
    second = await sandbox.create_event(user, EVENT)
    [message] = await receiver.wait_for(1)
    await sandbox.deliveries_done()
    ids = [
        i["resourceData"]["id"] for m in receiver.notifications for i in json.loads(m.body)["value"]
    ]
    assert ids == [second["id"]] and first["id"] not in ids
    assert message.headers["content-type"] == "application/json"


async def test_lifecycle_notifications_on_demand(sandbox: Sandbox, receiver: Receiver) -> None:
    user = await sandbox.user()
    lifecycle_url = receiver.url.replace("/hooks/graph", "/hooks/lifecycle")
    subscription = await subscribe(sandbox, user, receiver, lifecycleNotificationUrl=lifecycle_url)
    assert subscription["lifecycleNotificationUrl"] == lifecycle_url
    assert len(receiver.validations) == 2
    admin = f"/_admin/microsoft/subscriptions/{subscription['id']}/lifecycle"
    for event in ("reauthorizationRequired", "missed", "subscriptionRemoved"):
        response = await sandbox.client.post(admin, json={"event": event})
        assert response.status_code == 202, response.text

    def items_received() -> list[dict[str, Any]]:  # waiting items are sent together
        return [i for m in receiver.notifications for i in json.loads(m.body)["value"]]

    await poll_until(lambda: len(items_received()) == 3)
    messages, items = receiver.notifications, items_received()
    assert [i["lifecycleEvent"] for i in items] == [
        "reauthorizationRequired",
        "missed",
        "subscriptionRemoved",
    ]
    assert {m.path for m in messages} == {"/hooks/lifecycle"}
    assert items[0]["clientState"] == "secret-state"
    assert items[0]["subscriptionId"] == subscription["id"]
    gone = await sandbox.client.get(
        f"{API}/subscriptions/{subscription['id']}", headers=user.headers
    )
    assert gone.status_code == 404
    assert (await sandbox.client.post(admin, json={"event": "missed"})).status_code == 404
    plain = await subscribe(sandbox, user, receiver)
    no_url = await sandbox.client.post(
        f"/_admin/microsoft/subscriptions/{plain['id']}/lifecycle", json={"event": "missed"}
    )
    assert no_url.status_code == 409
    bad = await sandbox.client.post(
        f"/_admin/microsoft/subscriptions/{plain['id']}/lifecycle", json={"event": "nope"}
    )
    assert bad.status_code == 422


async def test_failed_deliveries_are_retried_without_holding_up_the_api(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    user = await sandbox.user()
    await subscribe(sandbox, user, receiver)
    receiver.notification_status = 500
    loop = asyncio.get_running_loop()
    began = loop.time()
    await sandbox.create_event(user, EVENT)
    assert loop.time() - began < 0.3  # the API call does not wait for delivery
    await receiver.wait_for(3)  # the first POST and two retries
    await sandbox.deliveries_done()
    assert len(receiver.notifications) == 3
    assert len({m.body for m in receiver.notifications}) == 1
