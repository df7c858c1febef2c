"""The provider base URLs `make run` sets (`shared.provider_endpoints.sandbox_endpoints`) reach
the sandbox's emulations when a client appends the provider's documented paths."""

from __future__ import annotations

import httpx
import pytest

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from shared.provider_endpoints import sandbox_endpoints

# (env name, method, path the real client appends, status an unauthenticated call gets);
# Google's OAuth base is its accounts host, whose discovery document names the token endpoint.
CALLS = [
    ("GOOGLE_API_BASE_URL", "GET", "/calendar/v3/users/me/calendarList", 401),
    ("GOOGLE_OAUTH_BASE_URL", "GET", "/.well-known/openid-configuration", 200),
    ("MICROSOFT_GRAPH_BASE_URL", "GET", "/v1.0/me/calendars", 401),
    ("MICROSOFT_LOGIN_BASE_URL", "POST", "/common/oauth2/v2.0/token", 400),
    ("ZOOM_API_BASE_URL", "GET", "/v2/users/me/meetings", 401),
    ("ZOOM_OAUTH_BASE_URL", "POST", "/oauth/token", 400),
]


@pytest.mark.parametrize(("env", "method", "path", "status"), CALLS)
async def test_each_base_url_reaches_its_provider(
    env: str, method: str, path: str, status: int
) -> None:
    app = create_app(SandboxSettings())
    base = sandbox_endpoints("http://sandbox")[env]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        response = await client.request(method, base + path, data={"grant_type": "x"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")


async def test_googles_discovery_document_names_the_sandboxs_own_oauth_endpoints() -> None:
    app = create_app(SandboxSettings())
    base = sandbox_endpoints("http://sandbox")["GOOGLE_OAUTH_BASE_URL"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        document = (await client.get(f"{base}/.well-known/openid-configuration")).json()
        token = await client.post(document["token_endpoint"], data={"grant_type": "refresh_token"})
        revoke = await client.post(document["revocation_endpoint"], data={"token": "x"})
        consent = await client.get(document["authorization_endpoint"])

    assert document["token_endpoint"] == "http://sandbox/google/oauth2/token"
    assert document["authorization_endpoint"] == "http://sandbox/google/o/oauth2/v2/auth"
    assert token.status_code == 400 and token.json()["error"] == "invalid_request"
    assert revoke.status_code == 400 and revoke.json()["error"] == "invalid_token"
    assert consent.status_code == 400 and consent.json()["error"] == "invalid_request"
