"""`POST /v1/push/microsoft` against the real read model and outbox: the validation handshake is
echoed as plain text, never sniffed, up to 1,024 characters; notifications whose `clientState`
verifies hint a sync (coalesced per calendar), lifecycle events ask for their channel action at
once, even inside a coalescing window; rejected ones are counted and publish nothing (all
rejected: 401); a body that is no batch is a 400 problem."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from services.gateway.push_hints import PushHints
from shared.push_tokens import channel_token, client_state, new_channel_id
from tests.integration.gateway.conftest import PUSH_SECRET, Gateway

pytestmark = pytest.mark.asyncio(loop_scope="session")

URL = "/v1/push/microsoft"


def _state(channel_id: str, secret: str = PUSH_SECRET) -> str:
    return client_state(channel_id, channel_token(secret, channel_id))


def _change(channel_id: str, state: str | None = None) -> dict[str, Any]:
    return {
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "subscriptionExpirationDateTime": "2030-01-04T10:00:00+00:00",
        "changeType": "updated",
        "resource": "Users/u/Events/e",
        "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "id": "e"},
        "clientState": state if state is not None else _state(channel_id),
        "tenantId": "t",
    }


def _lifecycle(channel_id: str, event: str) -> dict[str, Any]:
    return {
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "subscriptionExpirationDateTime": "2030-01-04T10:00:00+00:00",
        "tenantId": "t",
        "clientState": _state(channel_id),
        "lifecycleEvent": event,
    }


async def _post(gateway: Gateway, *items: Any, content: bytes | None = None) -> httpx.Response:
    body = content if content is not None else json.dumps({"value": list(items)}).encode()
    headers = {"Content-Type": "application/json"}
    async with gateway.client() as client:
        return await client.post(URL, content=body, headers=headers)


async def _hints(gateway: Gateway, calendar_id: str) -> list[dict[str, Any]]:
    rows = await gateway.pool.fetch(
        "SELECT envelope->'payload' AS payload FROM outbox"
        " WHERE key = $1 AND envelope->>'type' = 'sync.hint' ORDER BY id",
        calendar_id,
    )
    return [
        json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"] for r in rows
    ]


def _counted(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "rollcall_push_notifications_total", {"provider": "microsoft", "outcome": outcome}
    )
    return value or 0.0


async def _microsoft_calendar(gateway: Gateway) -> str:
    return await gateway.calendar(await gateway.tenant(), provider="microsoft")


async def test_the_validation_handshake_echoes_the_decoded_token_as_plain_text(
    gateway: Gateway,
) -> None:
    token = "Validation: Testing client application reachability for subscription Request-Id: 1"
    async with gateway.client() as client:
        response = await client.post(
            URL,
            params={"validationToken": token},
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"  # never sniffed as HTML
    assert response.text == token


async def test_a_validation_token_longer_than_graphs_is_a_400_and_not_echoed(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        longest = await client.post(URL, params={"validationToken": "v" * 1024})
        too_long = await client.post(URL, params={"validationToken": "<p>" + "v" * 1022})
    assert longest.status_code == 200 and longest.text == "v" * 1024
    assert too_long.status_code == 400
    assert too_long.headers["content-type"] == "application/problem+json"
    assert "<p>" not in too_long.text


async def test_verified_changes_make_one_hint_per_calendar_and_answer_202(
    gateway: Gateway,
) -> None:
    first, second = await _microsoft_calendar(gateway), await _microsoft_calendar(gateway)
    one, two = new_channel_id(first), new_channel_id(second)
    response = await _post(gateway, _change(one), _change(two), _change(one), _change(one))
    assert response.status_code == 202
    assert [h["reason"] for h in await _hints(gateway, first)] == ["push"]
    [hint] = await _hints(gateway, second)
    assert hint["channel"] is None and hint["channel_id"] is None


async def test_missed_is_a_sync_and_reauthorization_and_removal_their_channel_actions(
    gateway: Gateway,
) -> None:
    missed, reauth, removed = [await _microsoft_calendar(gateway) for _ in range(3)]
    reauth_channel, removed_channel = new_channel_id(reauth), new_channel_id(removed)
    response = await _post(
        gateway,
        _lifecycle(new_channel_id(missed), "missed"),
        _lifecycle(reauth_channel, "reauthorizationRequired"),
        _lifecycle(removed_channel, "subscriptionRemoved"),
    )
    assert response.status_code == 202
    [hint] = await _hints(gateway, missed)
    assert hint["channel"] is None
    [hint] = await _hints(gateway, reauth)
    assert (hint["channel"], hint["channel_id"]) == ("reauthorize", reauth_channel)
    [hint] = await _hints(gateway, removed)
    assert (hint["channel"], hint["channel_id"]) == ("recreate", removed_channel)


async def test_channel_actions_are_never_coalesced_away(gateway: Gateway) -> None:
    calendar_id = await _microsoft_calendar(gateway)
    channel_id = new_channel_id(calendar_id)
    default = gateway.wiring.push_hints
    gateway.wiring.push_hints = PushHints(gateway.pool, window=60)
    try:
        assert (await _post(gateway, _change(channel_id))).status_code == 202
        assert (await _post(gateway, _change(channel_id))).status_code == 202  # coalesced
        removed = _lifecycle(channel_id, "subscriptionRemoved")
        assert (await _post(gateway, removed)).status_code == 202
        reauthorize = _lifecycle(channel_id, "reauthorizationRequired")
        assert (await _post(gateway, reauthorize)).status_code == 202
    finally:
        await gateway.wiring.push_hints.close()
        gateway.wiring.push_hints = default
    assert [h["channel"] for h in await _hints(gateway, calendar_id)] == [
        None,
        "recreate",
        "reauthorize",
    ]


async def test_bad_client_states_are_counted_and_publish_nothing_all_bad_is_401(
    gateway: Gateway,
) -> None:
    calendar_id = await _microsoft_calendar(gateway)
    channel_id = new_channel_id(calendar_id)
    forged = [
        _change(channel_id, state="forged"),
        _change(channel_id, state=f"{channel_id}.not-the-token"),
        _change(channel_id, state=_state(channel_id, "another-secret")),
        {k: v for k, v in _change(channel_id).items() if k != "clientState"},
    ]
    before = _counted("rejected")
    response = await _post(gateway, *forged)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401
    assert _counted("rejected") == before + 4
    assert await _hints(gateway, calendar_id) == []

    mixed = await _post(gateway, forged[0], _change(channel_id))
    assert mixed.status_code == 202  # the verified one is published
    assert _counted("rejected") == before + 5
    assert len(await _hints(gateway, calendar_id)) == 1


async def test_a_body_that_is_no_batch_is_a_400_problem(gateway: Gateway) -> None:
    for content in (b"{not json", b'{"value": "x"}', b"[]", b""):
        response = await _post(gateway, content=content)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await _post(gateway)).status_code == 202  # an empty batch is fine


async def test_channels_of_deleted_unknown_or_other_calendars_publish_nothing(
    gateway: Gateway,
) -> None:
    tenant = await gateway.tenant()
    google = await gateway.calendar(tenant, provider="google")
    deleted = await gateway.calendar(tenant, provider="microsoft")
    assert (await tenant.api.delete(f"/v1/calendars/{deleted}")).status_code == 204
    before = _counted("unknown_calendar")
    for calendar_id in (google, deleted, "cal_unknown"):
        channel_id = new_channel_id(calendar_id)
        response = await _post(
            gateway, _change(channel_id), _lifecycle(channel_id, "subscriptionRemoved")
        )
        assert response.status_code == 202
        assert await _hints(gateway, calendar_id) == []
    assert _counted("unknown_calendar") == before + 6
