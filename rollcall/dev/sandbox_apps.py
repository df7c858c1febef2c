"""Dev mode: the dev project's OAuth apps are the sandbox's default apps, set through the
public API as a tenant sets its own (`PATCH /v1/project`), so hosted OAuth works against the
sandbox at once. The default apps accept any loopback redirect URI, which the gateway's
callback is in dev mode (unless `PUBLIC_BASE_URL` points elsewhere)."""

from __future__ import annotations

import httpx

from sandbox.oauth.conventions import PROVIDERS, default_client_id, default_client_secret


def sandbox_apps() -> dict[str, dict[str, str]]:
    """`oauth_apps` for every provider the sandbox emulates."""
    return {
        provider: {
            "client_id": default_client_id(provider),
            "client_secret": default_client_secret(provider),
        }
        for provider in PROVIDERS
    }


async def use_sandbox_apps(gateway_url: str, api_key: str) -> bool:
    """Set the dev project's apps; False when the gateway refused or could not be reached."""
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=15) as client:
        try:
            answer = await client.patch("/v1/project", json={"oauth_apps": sandbox_apps()})
        except httpx.HTTPError:
            return False
    return answer.status_code == 200
