"""App webhooks (providers.md §4): endpoints configured through the admin API after Zoom's
`endpoint.url_validation` challenge, and `meeting.created|updated|deleted` events signed with
`x-zm-signature` and delivered to every app the host has a live grant to. Signatures are checked
here with the test's own HMAC code."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json

import httpx

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from sandbox.zoom import ZoomBackend, zoom_provider
from tests.sandbox.conftest import FakeClock
from tests.sandbox.http_endpoints import Request
from tests.sandbox.zoom.conftest import (
    API,
    SECRET,
    WebhookEndpoint,
    configure,
    create_meeting,
    poll_until,
    user,
)

DEFAULT_APP = "sandbox-zoom-client"
START = "2030-01-08T10:00:00Z"


def assert_signed(delivery: Request, secret: str = SECRET) -> None:
    timestamp = delivery.headers["x-zm-request-timestamp"]
    message = f"v0:{timestamp}:".encode() + delivery.body
    expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery.headers["x-zm-signature"], expected)


async def test_saving_a_webhook_runs_the_url_validation_challenge(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, clock: FakeClock
) -> None:
    saved = await configure(client, DEFAULT_APP, endpoint.url)
    assert saved.status_code == 200, saved.text
    assert saved.json()["url"] == endpoint.url and saved.json()["validated"] is True
    [challenge] = endpoint.challenges
    body = challenge.json()
    assert body["event"] == "endpoint.url_validation"
    assert body["event_ts"] == int(clock().timestamp() * 1000)
    assert len(body["payload"]["plainToken"]) >= 16
    assert challenge.headers["content-type"].startswith("application/json")
    assert_signed(challenge)
    shown = await client.get(f"/_admin/apps/{DEFAULT_APP}/webhook")
    assert shown.json()["secret_token"] == SECRET


async def test_an_endpoint_that_fails_the_challenge_is_not_saved(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint
) -> None:
    for mode in ("wrong", "status500", "hang"):
        endpoint.mode = mode
        loop = asyncio.get_running_loop()
        began = loop.time()
        refused = await configure(client, DEFAULT_APP, endpoint.url)
        assert refused.status_code == 400, mode
        assert refused.json()["detail"].startswith("URL validation failed")
        assert loop.time() - began < 2  # the fixture's 0.5 s limit (Zoom: 3 s)
    unreachable = await configure(client, DEFAULT_APP, "http://127.0.0.1:9/nothing")
    assert unreachable.status_code == 400
    assert (await configure(client, DEFAULT_APP, "ftp://example.com")).status_code == 400
    assert (await client.get(f"/_admin/apps/{DEFAULT_APP}/webhook")).status_code == 404


async def test_webhook_admin_errors_and_delete(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint
) -> None:
    assert (await configure(client, "unknown", endpoint.url)).status_code == 404
    assert (await configure(client, "sandbox-google-client", endpoint.url)).status_code == 400
    malformed = await client.put(f"/_admin/apps/{DEFAULT_APP}/webhook", json={"url": "x"})
    assert malformed.status_code == 422
    assert (await configure(client, DEFAULT_APP, endpoint.url)).status_code == 200
    assert (await client.delete(f"/_admin/apps/{DEFAULT_APP}/webhook")).status_code == 204
    assert (await client.get(f"/_admin/apps/{DEFAULT_APP}/webhook")).status_code == 404
    assert (await client.delete(f"/_admin/apps/{DEFAULT_APP}/webhook")).status_code == 404
    assert endpoint.challenges  # the endpoint was validated once


async def test_meeting_events_are_signed_and_shaped_like_zooms(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, clock: FakeClock
) -> None:
    _, headers = await user(client, "ada@example.com")
    me = (await client.get(f"{API}/users/me", headers=headers)).json()
    await configure(client, DEFAULT_APP, endpoint.url)
    created = await create_meeting(client, headers, topic="Plan", start_time=START)
    url = f"{API}/meetings/{created['id']}"
    await endpoint.wait_for(1)
    await client.patch(url, json={"topic": "Replan", "duration": 30}, headers=headers)
    await endpoint.wait_for(2)
    await client.delete(url, headers=headers)
    events = await endpoint.wait_for(3)

    for delivery in events:
        assert_signed(delivery)
        assert delivery.headers["x-zm-request-timestamp"] == str(int(clock().timestamp()))
        assert delivery.headers["user-agent"].startswith("Zoom")
    first, update, deletion = (d.json() for d in events)
    assert [first["event"], update["event"], deletion["event"]] == [
        "meeting.created",
        "meeting.updated",
        "meeting.deleted",
    ]
    assert first["event_ts"] == int(clock().timestamp() * 1000)
    payload = first["payload"]
    assert (payload["account_id"], payload["operator"], payload["operator_id"]) == (
        me["account_id"],
        "ada@example.com",
        me["id"],
    )
    created_object = payload["object"]
    assert {k: created_object[k] for k in ("id", "uuid", "topic", "start_time", "join_url")} == {
        k: created[k] for k in ("id", "uuid", "topic", "start_time", "join_url")
    }
    assert created_object["host_id"] == me["id"]
    assert "start_url" not in created_object  # the host's secret never leaves in a webhook
    assert update["payload"]["object"] == {
        "id": created["id"],
        "uuid": created["uuid"],
        "topic": "Replan",
        "duration": 30,
    }
    assert update["payload"]["old_object"] == {
        "id": created["id"],
        "uuid": created["uuid"],
        "topic": "Plan",
        "duration": 60,
    }
    assert deletion["payload"]["object"]["id"] == created["id"]
    assert deletion["payload"]["object"]["topic"] == "Replan"


async def test_events_go_to_every_app_with_a_live_grant(
    client: httpx.AsyncClient,
    backend: ZoomBackend,
    endpoint: WebhookEndpoint,
    other_endpoint: WebhookEndpoint,
) -> None:
    other_endpoint.secret = "other-secret"
    app = (await client.post("/_admin/apps", json={"provider": "zoom"})).json()
    ungranted = (await client.post("/_admin/apps", json={"provider": "zoom"})).json()
    await configure(client, DEFAULT_APP, endpoint.url)
    await configure(client, app["client_id"], other_endpoint.url, "other-secret")
    await configure(client, ungranted["client_id"], other_endpoint.url, "other-secret")
    account, headers = await user(client, "ada@example.com")
    granted = await client.post(
        f"/_admin/accounts/{account['account_id']}/grant", json={"client_id": app["client_id"]}
    )
    assert granted.status_code == 200
    _, grace = await user(client, "grace@example.com")

    await create_meeting(client, headers, start_time=START)
    [mine] = await endpoint.wait_for(1)
    [theirs] = await other_endpoint.wait_for(1)
    assert_signed(theirs, "other-secret")
    assert mine.json()["payload"]["object"] == theirs.json()["payload"]["object"]

    await create_meeting(client, grace, start_time=START)  # grace: the default app only
    await endpoint.wait_for(2)
    await client.post(f"/_admin/accounts/{account['account_id']}/revoke")
    still = await client.post(f"{API}/users/me/meetings", json={}, headers=headers)
    assert still.status_code == 401  # revoking ended the token too: nothing to send
    await poll_until(backend.hub.idle)  # every queued delivery finished
    assert len(endpoint.events) == 2 and len(other_endpoint.events) == 1


async def test_a_drop_fault_loses_one_delivery(
    client: httpx.AsyncClient, backend: ZoomBackend, endpoint: WebhookEndpoint
) -> None:
    _, headers = await user(client, "ada@example.com")
    await configure(client, DEFAULT_APP, endpoint.url)
    fault = await client.post("/_admin/faults", json={"provider": "zoom", "drop_push": 1})
    assert fault.status_code == 201
    await create_meeting(client, headers, topic="dropped", start_time=START)
    await create_meeting(client, headers, topic="delivered", start_time=START)
    [event] = await endpoint.wait_for(1)
    await poll_until(backend.hub.idle)  # every queued delivery finished
    assert len(endpoint.events) == 1
    assert event.json()["payload"]["object"]["topic"] == "delivered"


async def test_events_arrive_within_milliseconds(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint
) -> None:
    _, headers = await user(client, "ada@example.com")
    await configure(client, DEFAULT_APP, endpoint.url)
    loop = asyncio.get_running_loop()
    latencies = []
    for index in range(20):
        began = loop.time()
        await create_meeting(client, headers, start_time=START)
        await endpoint.wait_for(index + 1, within=1.0)
        latencies.append(loop.time() - began)
    latencies.sort()
    median, worst = latencies[10] * 1000, latencies[-1] * 1000
    print(f"zoom webhook latency: median {median:.1f} ms, max {worst:.1f} ms")
    assert latencies[10] < 0.1


async def test_revalidation_pauses_and_resumes_events(
    client: httpx.AsyncClient, backend: ZoomBackend, endpoint: WebhookEndpoint
) -> None:
    _, headers = await user(client, "ada@example.com")
    await configure(client, DEFAULT_APP, endpoint.url)
    endpoint.mode = "wrong"
    failed = await client.post(f"/_admin/apps/{DEFAULT_APP}/webhook/validate")
    assert failed.status_code == 400
    assert (await client.get(f"/_admin/apps/{DEFAULT_APP}/webhook")).json()["validated"] is False
    await create_meeting(client, headers, topic="paused", start_time=START)
    endpoint.mode = "answer"
    passed = await client.post(f"/_admin/apps/{DEFAULT_APP}/webhook/validate")
    assert (passed.status_code, passed.json()["validated"]) == (200, True)
    assert len(endpoint.challenges) == 3
    await create_meeting(client, headers, topic="resumed", start_time=START)
    [event] = await endpoint.wait_for(1)
    await poll_until(backend.hub.idle)  # every queued delivery finished
    assert [e.json()["payload"]["object"]["topic"] for e in endpoint.events] == ["resumed"]
    assert event.json()["event"] == "meeting.created"


async def test_a_dead_endpoint_does_not_slow_the_api(
    client: httpx.AsyncClient, backend: ZoomBackend
) -> None:
    challenge_answered: list[bytes] = []

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        plain = json.loads(await reader.readexactly(length))["payload"]["plainToken"]
        token = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
        answer = json.dumps({"plainToken": plain, "encryptedToken": token}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
        await writer.drain()
        writer.close()
        challenge_answered.append(answer)

    server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    assert (await configure(client, DEFAULT_APP, url)).status_code == 200
    server.close()
    await server.wait_closed()  # from now on nothing listens there
    _, headers = await user(client, "ada@example.com")
    loop = asyncio.get_running_loop()
    began = loop.time()
    for _ in range(5):
        await create_meeting(client, headers, start_time=START)
    assert loop.time() - began < 1
    await poll_until(backend.hub.idle)
    assert challenge_answered


async def test_private_endpoints_can_be_refused(
    clock: FakeClock, endpoint: WebhookEndpoint
) -> None:
    provider = functools.partial(zoom_provider, clock=clock)
    settings = SandboxSettings(allow_private_push_addresses=False)
    app = create_app(settings, providers=[provider], clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        refused = await configure(client, DEFAULT_APP, endpoint.url)
    assert refused.status_code == 400
    assert "private" in refused.json()["detail"]
    assert endpoint.challenges == []
