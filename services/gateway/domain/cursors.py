"""Opaque keyset cursors: the sort value and id of the last row of a page."""

from __future__ import annotations

import base64
import json


class BadCursor(ValueError):
    """Raised when a client sends a cursor this API did not produce."""


def encode_cursor(sort_value: str, row_id: str) -> str:
    raw = json.dumps([sort_value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(value, str) or not isinstance(row_id, str):
        raise BadCursor(cursor)
    return value, row_id
