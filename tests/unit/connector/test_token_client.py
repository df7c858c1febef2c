"""The token answer's classification (`oauth/token_client.py`), Zoom's shapes included: Zoom
words a dead refresh token `{"reason":"Invalid Token!","error":"invalid_request"}` (and, in
later reports, `invalid_grant`), which must read as a dead grant, not as a refused request."""

from __future__ import annotations

import base64

import httpx
import pytest
from pydantic import SecretStr

from services.connector.oauth import token_client
from services.connector.oauth.credentials import OAuthCredentials
from services.connector.providers.base import ClientRejected, ProviderError
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.zoom import token_server

LIMITS = HttpLimits(allow_loopback=True, request_seconds=5, max_response_bytes=1 << 16)
CREDENTIALS = OAuthCredentials(
    client_id="zoom-client",
    client_secret=SecretStr("s3cret"),
    refresh_token=SecretStr("old-refresh"),
)


async def _refresh(
    status: int, body: dict[str, str]
) -> tuple[token_client.TokenAnswer, httpx.Request]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        endpoint = await token_server("https://zoom.example").token_endpoint(client)
        try:
            return await token_client.refresh(client, endpoint, CREDENTIALS, LIMITS), seen[0]
        finally:
            assert len(seen) == 1


@pytest.mark.parametrize("error", ["invalid_request", "invalid_grant"])
async def test_zooms_invalid_token_answer_is_a_dead_grant(error: str) -> None:
    with pytest.raises(token_client.InvalidGrant):
        await _refresh(400, {"reason": "Invalid Token!", "error": error})


@pytest.mark.parametrize("error", ["interaction_required", "consent_required", "login_required"])
async def test_refusals_only_the_user_can_clear_are_a_dead_grant(error: str) -> None:
    """Entra answers these for MFA, conditional access or withdrawn consent: retrying at every
    poll would never succeed, so the calendar disconnects and asks for a reconnect."""
    body = {"error": error, "error_description": "AADSTS50076: …", "error_codes": "50076"}
    with pytest.raises(token_client.InvalidGrant):
        await _refresh(400, body)


async def test_other_zoom_refusals_keep_their_class() -> None:
    with pytest.raises(ClientRejected):
        await _refresh(
            400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        )
    with pytest.raises(ProviderError) as refused:
        await _refresh(400, {"reason": "Missing grant type", "error": "invalid_request"})
    assert not isinstance(refused.value, token_client.InvalidGrant | ClientRejected)


async def test_zoom_is_asked_with_http_basic_and_its_rotated_token_is_returned() -> None:
    body = {"access_token": "at", "refresh_token": "new-refresh", "expires_in": 3599}
    answer, request = await _refresh(200, body)
    assert (
        answer.refresh_token is not None
        and answer.refresh_token.get_secret_value() == "new-refresh"
    )
    assert str(request.url) == "https://zoom.example/oauth/token"
    expected = base64.b64encode(b"zoom-client:s3cret").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    form = dict(x.split("=") for x in request.content.decode().split("&"))
    assert form == {"grant_type": "refresh_token", "refresh_token": "old-refresh"}
