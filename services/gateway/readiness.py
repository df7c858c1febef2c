"""The gateway is ready only when every service is: it asks each one's `/readyz`."""

from __future__ import annotations

import httpx

from shared.http.health import ReadinessCheck


def remote_check(client: httpx.AsyncClient, base_url: str) -> ReadinessCheck:
    async def check() -> bool:
        try:
            response = await client.get(f"{base_url.rstrip('/')}/readyz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    return check
