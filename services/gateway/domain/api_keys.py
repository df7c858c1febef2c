"""API keys: opaque random strings, stored and looked up only by their SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

MIN_LENGTH = 16


def generate_key() -> str:
    return "rk_" + secrets.token_urlsafe(32)


def hash_key(key: str) -> bytes:
    # A fast hash is right here: keys carry 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(key.encode()).digest()


def is_acceptable(key: str) -> bool:
    """At least 16 printable, non-space characters (the contract for keys, also fixed ones)."""
    return len(key) >= MIN_LENGTH and key.isprintable() and not any(c.isspace() for c in key)


def presented_key(authorization: str | None) -> str | None:
    """The key in `Authorization: Bearer <key>` (or `Token <key>`), else None."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() not in ("bearer", "token") or not key.strip():
        return None
    return key.strip()
