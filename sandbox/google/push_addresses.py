"""Which addresses a push channel may notify: http(s) URLs, and private hosts only when the
sandbox allows them (Google itself requires public HTTPS, providers.md §1.9)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sandbox.google import errors


def check(address: str, *, allow_private: bool) -> None:
    """400 `push.webhookUrlInvalid` for a non-URL, 401 `push.webhookUrlUnauthorized` for a
    private host when those are not allowed."""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.bad_request(
            f"Invalid push address: {address}", reason="push.webhookUrlInvalid"
        )
    if not allow_private and _is_private(parts.hostname):
        raise errors.GoogleApiError(
            401,
            "push.webhookUrlUnauthorized",
            f"Unauthorized WebHook callback channel: {address}",
        )


def _is_private(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
