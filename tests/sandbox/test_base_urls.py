"""The provider base URLs `make run` sets (`shared.provider_endpoints.sandbox_endpoints`) reach
the sandbox's emulations when a client appends the provider's documented paths."""

from __future__ import annotations

import httpx
import pytest

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from shared.provider_endpoints import sandbox_endpoints

# (env name, method, path the real client appends, status an unauthenticated call gets)
CALLS = [
    ("GOOGLE_API_BASE_URL", "GET", "/calendar/v3/users/me/calendarList", 401),
    ("GOOGLE_OAUTH_BASE_URL", "POST", "/oauth2/token", 400),
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
