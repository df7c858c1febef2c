"""URLs a tenant gives us for browsers or, later, for our own requests: absolute http(s) with a
host, no credentials, no fragment. Pure; reachability rules (SSRF) belong to whoever calls them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def check_web_url(value: str) -> str:
    """`value` when it is an acceptable URL; raises `ValueError` saying why not."""
    if len(value) > MAX_LENGTH:
        raise ValueError(f"must be at most {MAX_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except ValueError:
        raise ValueError("must be a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain credentials")
    if parts.fragment or value.endswith("#"):
        raise ValueError("must not contain a fragment")
    return value
