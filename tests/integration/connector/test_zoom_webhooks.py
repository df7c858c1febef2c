"""Zoom webhook deliveries checked by the connector against real Postgres: the signing project
found among the projects' sealed webhook secrets, the URL validation answered with that
project's secret, a meeting event naming the host's connected calendars of that project only,
which then carry the webhook as their push channel (announced once, not on every event), and
deliveries signed by nobody refused. Signatures come from the sandbox's signing code."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from sandbox.zoom.signing import encrypted_token, signed_headers
from services.connector.domain.oauth_apps import AppChange
from services.connector.domain.zoom_webhooks import Delivery
from services.connector.oauth import app_store
from services.connector.oauth.apps import ProjectApps
from services.connector.zoom_push import NotSigned, SecretCache, ZoomWebhookReceiver
from tests.integration.connector.conftest import PROJECT, Connector
from tests.integration.connector.sandbox_providers import (
    InProcessSandbox,
)

SECRET = "zoom-webhook-secret-of-prj_test"


@pytest.fixture
async def receiver(connector: Connector) -> ZoomWebhookReceiver:
    apps = ProjectApps(pool=lambda: connector.pool, keyring=connector.keyring)
    for project, secret in ((PROJECT, SECRET), ("prj_other", "another-projects-secret")):
        change = AppChange("sandbox-zoom-client", "sandbox-zoom-secret", secret, True)
        await apps.change(project, {"zoom": change})
    cache = SecretCache(apps.webhook_secrets, app_store.apps_stamp)
    return ZoomWebhookReceiver(pool=lambda: connector.pool, secrets=cache)


def _delivery(secret: str, body: object) -> Delivery:
    raw = json.dumps(body).encode()
    headers = signed_headers(secret, str(int(time.time())), raw)
    return Delivery(headers["x-zm-request-timestamp"], headers["x-zm-signature"], raw)


def _created(host_id: str) -> dict[str, object]:
    return {
        "event": "meeting.created",
        "payload": {"operator": "x@example.com", "object": {"id": 7, "host_id": host_id}},
    }


async def test_the_url_validation_is_answered_with_the_signing_projects_secret(
    receiver: ZoomWebhookReceiver,
) -> None:
    challenge = {"event": "endpoint.url_validation", "payload": {"plainToken": "pt-1"}}
    received = await receiver.receive(_delivery(SECRET, challenge))
    assert received.project_ids == [PROJECT]
    assert received.validation == {
        "plainToken": "pt-1",
        "encryptedToken": encrypted_token(SECRET, "pt-1"),
    }
    with pytest.raises(NotSigned):
        await receiver.receive(_delivery("nobody's secret", challenge))


async def test_a_meeting_event_names_the_hosts_calendars_which_then_have_webhook_push(
    connector: Connector, sandbox: InProcessSandbox, receiver: ZoomWebhookReceiver
) -> None:
    ada = await sandbox.account("ada@example.com", provider="zoom")
    await connector.register("cal_z", ada.credentials, provider="zoom")
    await connector.connect("cal_z", provider="zoom")
    assert await connector.run_syncs() == 1
    host = (await connector.row("cal_z"))["calendar_url"]
    before = len(await connector.messages("calendar.state_changed"))

    received = await receiver.receive(_delivery(SECRET, _created(host)))
    assert received.calendar_ids == ["cal_z"] and received.validation is None
    row = await connector.row("cal_z")
    remaining = (row["push_expires_at"] - datetime.now(UTC)).total_seconds()
    assert 71 * 3600 < remaining <= 72 * 3600
    states = await connector.messages("calendar.state_changed")
    assert len(states) == before + 1
    push = states[-1].payload["push"]
    assert push["kind"] == "zoom_webhook"

    await receiver.receive(_delivery(SECRET, _created(host)))  # within the hour: no news
    assert len(await connector.messages("calendar.state_changed")) == before + 1

    # Another project's app signed it: that project has no calendar of this host.
    other = await receiver.receive(_delivery("another-projects-secret", _created(host)))
    assert other.project_ids == ["prj_other"] and other.calendar_ids == []
    unknown_host = await receiver.receive(_delivery(SECRET, _created("someone-else")))
    assert unknown_host.calendar_ids == []


async def test_a_changed_secret_is_used_from_the_next_delivery_on(
    connector: Connector, receiver: ZoomWebhookReceiver
) -> None:
    challenge = {"event": "endpoint.url_validation", "payload": {"plainToken": "pt-2"}}
    assert (await receiver.receive(_delivery(SECRET, challenge))).project_ids == [PROJECT]
    apps = ProjectApps(pool=lambda: connector.pool, keyring=connector.keyring)
    rotated = AppChange(webhook_secret="the-rotated-webhook-secret", webhook_given=True)
    await apps.change(PROJECT, {"zoom": rotated})
    with pytest.raises(NotSigned):
        await receiver.receive(_delivery(SECRET, challenge))
    received = await receiver.receive(_delivery("the-rotated-webhook-secret", challenge))
    assert received.project_ids == [PROJECT]
