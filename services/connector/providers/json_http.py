"""Bounded async HTTP for the OAuth providers' JSON APIs (httpx): each exchange ends within the
provider timeout in total (body included) and reads at most the response cap; transport
failures become provider errors with fixed texts (never a URL, header or body).

The hosts are the operator's settings (`GOOGLE_API_BASE_URL`, …), not user input, so these
requests are not SSRF-guarded like CalDAV's; the bounds still apply.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from services.connector.providers.base import (
    ProviderError,
    ProviderUnavailable,
    ServerUnreachable,
)
from services.connector.providers.guarded_http import HttpLimits


@dataclass(frozen=True)
class Answer:
    """A provider's answer, read in full."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        """The body as JSON; raises `ProviderError` when it is not."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ProviderError("the provider answered with unreadable JSON") from None

    def error_object(self) -> dict[str, Any]:
        """The JSON object of an error answer, or {} when there is none."""
        try:
            decoded = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return {}
        return decoded if isinstance(decoded, dict) else {}


async def send(client: httpx.AsyncClient, request: httpx.Request, limits: HttpLimits) -> Answer:
    """Send `request` and read its answer within `limits`."""
    try:
        async with asyncio.timeout(limits.request_seconds):
            response = await client.send(request, stream=True)
            try:
                body = await _read(response, limits.max_response_bytes)
            finally:
                await response.aclose()
    except TimeoutError:
        raise ProviderUnavailable("no answer in time") from None
    except httpx.ConnectError:
        raise ServerUnreachable("the provider could not be reached") from None
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(type(exc).__name__) from None
    return Answer(response.status_code, response.headers, body)


async def _read(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ProviderError("response too large")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > cap:
            raise ProviderError("response too large")
    return bytes(body)


def retry_after(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), if given."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
