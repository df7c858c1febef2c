"""Keyset cursors on the wire: (timestamp, id) pairs, and the 422 for a cursor we never issued."""

from __future__ import annotations

from datetime import datetime

from services.gateway.domain.cursors import BadCursor, decode_cursor, encode_cursor
from shared.http.problems import Problem


def after_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (sort value, id) to continue after, or None for the first page."""
    if not cursor:
        return None
    try:
        value, last_id = decode_cursor(cursor)
        return datetime.fromisoformat(value), last_id
    except (BadCursor, ValueError):
        raise Problem(
            422,
            "The cursor is not valid.",
            type_="/problems/validation",
            errors=[{"field": "cursor", "message": "not a cursor from this API"}],
        ) from None


def next_cursor(page_size: int, limit: int, sort_value: datetime, last_id: str) -> str | None:
    """A cursor after the page's last row when the page is full, else None (no more rows)."""
    return encode_cursor(sort_value.isoformat(), last_id) if page_size == limit else None
