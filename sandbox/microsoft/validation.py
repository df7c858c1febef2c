"""The `validationToken` handshake Graph performs before creating a subscription (providers.md
§2.5): POST `{url}?validationToken=<token>` (`text/plain`, empty body); the endpoint must answer
200 within 10 s with the URL-decoded token as its body."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

import httpx

from sandbox.microsoft import errors

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


async def check_endpoint(url: str) -> None:
    """Run the handshake against `url`; 400 as Graph answers when it fails."""
    # Graph's tokens read like this one: spaces and colons, so receivers must URL-decode.
    token = (
        "Validation: Testing client application reachability for subscription Request-Id: "
        f"{uuid.uuid4()}"
    )
    target = url + ("&" if "?" in url else "?") + urlencode({"validationToken": token})
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(
                target, content=b"", headers={"Content-Type": "text/plain; charset=utf-8"}
            )
    except httpx.HTTPError as error:
        logger.info("subscription validation failed", extra={"error": type(error).__name__})
        raise _failed(
            "Notification endpoint must respond with 200 OK to validation request."
        ) from None
    if response.status_code != 200:
        raise _failed("Notification endpoint must respond with 200 OK to validation request.")
    if response.text != token:
        raise _failed("Response must exactly match validationToken query parameter.")


def _failed(why: str) -> errors.GraphError:
    return errors.bad_request(
        f"Subscription validation request failed. {why}", code="InvalidRequest"
    )
