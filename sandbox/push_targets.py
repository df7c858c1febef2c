"""Which addresses a provider may deliver push notifications and webhooks to: http(s) URLs, and
private or loopback hosts only when the sandbox allows them (`SANDBOX_ALLOW_PRIVATE_PUSH_ADDRESSES`;
the real providers require public HTTPS). Each provider words the refusal its own way."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def address_problem(url: str, *, allow_private: bool) -> str | None:
    """Why `url` cannot receive notifications (None when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url}"
    if not allow_private and is_private_host(parts.hostname):
        return f"private addresses are not allowed: {url}"
    return None


def is_private_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
