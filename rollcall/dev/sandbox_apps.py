"""Dev mode: the dev project's OAuth apps are the sandbox's default apps, set through the
public API as a tenant sets its own (`PATCH /v1/project`), so hosted OAuth works against the
sandbox at once. The default apps accept any loopback redirect URI, which the gateway's
callback is in dev mode (unless `PUBLIC_BASE_URL` points elsewhere).

Zoom push is set up the way a tenant does it in Zoom's app settings: the default Zoom app's
event endpoint is the gateway's receiver with a secret token, which the dev project holds as
its Zoom `webhook_secret`; saving the endpoint runs Zoom's URL validation against the gateway.
"""

from __future__ import annotations

import httpx

from sandbox.oauth.conventions import PROVIDERS, default_client_id, default_client_secret


def sandbox_apps(zoom_webhook_secret: str) -> dict[str, dict[str, str]]:
    """`oauth_apps` for every provider the sandbox emulates."""
    apps = {
        provider: {
            "client_id": default_client_id(provider),
            "client_secret": default_client_secret(provider),
        }
        for provider in PROVIDERS
    }
    apps["zoom"]["webhook_secret"] = zoom_webhook_secret
    return apps


async def use_sandbox_apps(gateway_url: str, api_key: str, zoom_webhook_secret: str) -> bool:
    """Set the dev project's apps; False when the gateway refused or could not be reached."""
    headers = {"Authorization": f"Bearer {api_key}"}
    apps = sandbox_apps(zoom_webhook_secret)
    async with httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=15) as client:
        try:
            answer = await client.patch("/v1/project", json={"oauth_apps": apps})
        except httpx.HTTPError:
            return False
    return answer.status_code == 200


async def register_zoom_webhook(sandbox_url: str, receiver_url: str, secret: str) -> bool:
    """Point the default Zoom app's event endpoint at the gateway (the sandbox validates it
    before saving); False when that failed."""
    path = f"/_admin/apps/{default_client_id('zoom')}/webhook"
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=15) as client:
        try:
            answer = await client.put(path, json={"url": receiver_url, "secret_token": secret})
        except httpx.HTTPError:
            return False
    return answer.status_code == 200
