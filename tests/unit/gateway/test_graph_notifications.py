"""Reading Graph notification batches: only a `clientState` carrying the channel's own token
verifies; changes and `missed` ask for a sync per calendar, `reauthorizationRequired` and
`subscriptionRemoved` for a channel action (each once); a body that is no batch is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.gateway.domain.graph_notifications import (
    ChannelRequest,
    MalformedBatch,
    read_batch,
)
from shared.push_tokens import channel_token, client_state

SECRET = "push-secret"


def _state(channel_id: str, secret: str = SECRET) -> str:
    return client_state(channel_id, channel_token(secret, channel_id))


def _change(channel_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "subscriptionId": "sub-1",
        "changeType": "created",
        "resource": "Users/u/Events/e",
        "clientState": _state(channel_id),
        **extra,
    }


def _body(*items: Any) -> bytes:
    return json.dumps({"value": list(items)}).encode()


def test_changes_are_counted_per_calendar_in_order_of_arrival() -> None:
    batch = read_batch(
        _body(_change("cal_b.1"), _change("cal_a.1"), _change("cal_b.1"), _change("cal_b.2")),
        SECRET,
    )
    assert list(batch.changed.items()) == [("cal_b", 3), ("cal_a", 1)]
    assert batch.channel_requests == [] and batch.rejected == 0 and batch.verified == 4


def test_lifecycle_events_ask_for_their_channel_action_once_and_missed_for_a_sync() -> None:
    reauthorize = {"clientState": _state("cal_a.1"), "lifecycleEvent": "reauthorizationRequired"}
    removed = {"clientState": _state("cal_b.2"), "lifecycleEvent": "subscriptionRemoved"}
    missed = {"clientState": _state("cal_c.3"), "lifecycleEvent": "missed"}
    batch = read_batch(_body(reauthorize, removed, missed, reauthorize), SECRET)
    assert batch.channel_requests == [
        ChannelRequest("cal_a", "cal_a.1", "reauthorize"),
        ChannelRequest("cal_b", "cal_b.2", "recreate"),
    ]
    assert batch.changed == {"cal_c": 1}
    assert batch.repeated == 1 and batch.verified == 4


@pytest.mark.parametrize("event", [["subscriptionRemoved"], {"x": 1}, 5, "somethingNew"])
def test_an_odd_lifecycle_event_of_a_verified_channel_is_just_a_sync(event: Any) -> None:
    batch = read_batch(_body({"clientState": _state("cal_a.1"), "lifecycleEvent": event}), SECRET)
    assert batch.changed == {"cal_a": 1} and batch.channel_requests == []


@pytest.mark.parametrize(
    "item",
    [
        {"changeType": "created"},  # no clientState
        {"clientState": None},
        {"clientState": 7},
        {"clientState": "forged"},
        {"clientState": "cal_a.1.not-the-token"},
        {"clientState": _state("cal_a.1", "another-secret")},
        {"clientState": client_state("nodot", channel_token(SECRET, "nodot"))},
        {},
        "not an object",
        None,
    ],
)
def test_notifications_without_their_channels_token_are_rejected(item: Any) -> None:
    batch = read_batch(_body(item, _change("cal_a.1")), SECRET)
    assert batch.rejected == 1 and batch.changed == {"cal_a": 1}


def test_nothing_verifies_without_a_secret() -> None:
    batch = read_batch(_body(_change("cal_a.1")), "")
    assert batch.rejected == 1 and batch.verified == 0


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b"\xff", b"[]", b'{"value": {}}', b'{"values": []}', b"null"]
)
def test_a_body_that_is_no_batch_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedBatch):
        read_batch(body, SECRET)


def test_an_empty_batch_is_no_error() -> None:
    batch = read_batch(_body(), SECRET)
    assert batch.verified == 0 and batch.rejected == 0
