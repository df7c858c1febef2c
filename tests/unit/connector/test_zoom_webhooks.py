"""Zoom webhook checks: the signing project found by its secret, stale or tampered deliveries
refused, the URL validation answer, and the users a meeting event names. Signatures are made
with the sandbox's own signing code (Zoom's documented scheme), not ours."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.zoom.signing import encrypted_token
from sandbox.zoom.signing import signature as zoom_signature
from services.connector.domain import zoom_webhooks
from services.connector.domain.zoom_webhooks import Delivery, InvalidDelivery, ProjectSecret

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SECRETS = [ProjectSecret("prj_a", "secret-a"), ProjectSecret("prj_b", "secret-b")]


def _signed(secret: str, body: object, at: datetime = NOW) -> Delivery:
    raw = json.dumps(body).encode()
    timestamp = str(int(at.timestamp()))
    return Delivery(timestamp, zoom_signature(secret, timestamp, raw), raw)


def test_the_signing_project_is_the_one_whose_secret_reproduces_the_signature() -> None:
    delivery = _signed("secret-b", {"event": "meeting.created"})
    assert zoom_webhooks.signers(delivery, SECRETS, NOW) == ["prj_b"]
    shared = [*SECRETS, ProjectSecret("prj_c", "secret-b")]  # two projects, one Zoom app
    assert zoom_webhooks.signers(delivery, shared, NOW) == ["prj_b", "prj_c"]


@pytest.mark.parametrize(
    "delivery",
    [
        _signed("secret-x", {"event": "meeting.created"}),  # nobody's secret
        _signed("secret-a", {"event": "meeting.created"}, NOW - timedelta(minutes=6)),  # replay
        _signed("secret-a", {"event": "meeting.created"}, NOW + timedelta(minutes=6)),
        Delivery("not-a-number", "v0=00", b"{}"),
    ],
)
def test_unsigned_stale_or_malformed_deliveries_have_no_signer(delivery: Delivery) -> None:
    assert zoom_webhooks.signers(delivery, SECRETS, NOW) == []


def test_a_tampered_body_or_timestamp_has_no_signer() -> None:
    delivery = _signed("secret-a", {"event": "meeting.created"})
    tampered = Delivery(delivery.timestamp, delivery.signature, delivery.body + b" ")
    assert zoom_webhooks.signers(tampered, SECRETS, NOW) == []
    later = str(int(delivery.timestamp) + 1)
    assert (
        zoom_webhooks.signers(Delivery(later, delivery.signature, delivery.body), SECRETS, NOW)
        == []
    )


def test_the_url_validation_challenge_is_answered_with_the_hmac_of_the_plain_token() -> None:
    notice = zoom_webhooks.read(
        json.dumps(
            {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZ"}}
        ).encode()
    )
    assert notice.plain_token == "qgg8vlvZ"
    answer = zoom_webhooks.validation_answer("secret-a", "qgg8vlvZ")
    assert answer == {
        "plainToken": "qgg8vlvZ",
        "encryptedToken": encrypted_token("secret-a", "qgg8vlvZ"),
    }


def test_meeting_events_name_the_host_and_the_operator() -> None:
    created = {
        "event": "meeting.created",
        "payload": {
            "account_id": "acc",
            "operator": "Ada@Example.com",
            "operator_id": "usr_op",
            "object": {"id": 1, "host_id": "usr_host"},
        },
    }
    notice = zoom_webhooks.read(json.dumps(created).encode())
    assert notice.user_ids == ("usr_host", "usr_op") and notice.emails == ("Ada@Example.com",)
    updated = {
        "event": "meeting.updated",
        "payload": {"operator_id": "usr_op", "object": {"id": 1}},
    }
    assert zoom_webhooks.read(json.dumps(updated).encode()).user_ids == ("usr_op",)
    other = zoom_webhooks.read(json.dumps({"event": "meeting.started", "payload": {}}).encode())
    assert other.user_ids == () and other.plain_token is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"payload": {}}',
        json.dumps({"event": "endpoint.url_validation", "payload": {}}).encode(),
        json.dumps(
            {"event": "endpoint.url_validation", "payload": {"plainToken": "x" * 300}}
        ).encode(),
    ],
)
def test_bodies_that_are_not_zoom_deliveries_are_refused(body: bytes) -> None:
    with pytest.raises(InvalidDelivery):
        zoom_webhooks.read(body)
