"""Prefixed, time-ordered resource ids (`cal_…`, `evt_…`): a mechanism, not a rule."""

from __future__ import annotations

import hashlib
import os
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A ULID-shaped id: 48-bit millisecond time then 80 random bits, so ids sort by creation."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_encode(millis, 10)}{_encode(rand, 16)}"


def derived_id(prefix: str, *parts: str) -> str:
    """A deterministic id from its natural key, so replays and retries land on the same row."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{_encode(int.from_bytes(digest[:16], 'big'), 26)}"
