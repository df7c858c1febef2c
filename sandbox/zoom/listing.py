"""`GET /users/me/meetings`: which of a host's meetings each listing `type` shows, in start order,
paged with `page_size` and `next_page_token` (providers.md §4).

Instant meetings (type 1) are never listed (Zoom lists scheduled meetings only); no meeting is
ever live in the sandbox. A recurring meeting with a fixed time is one entry, at its next
occurrence (`upcoming`), or its first (`scheduled`), or its last (`previous_meetings`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.zoom import errors, views
from sandbox.zoom.backend import ZoomBackend
from sandbox.zoom.page_tokens import TTL, Cursor
from sandbox.zoom.store import INSTANT, RECURRING_FIXED, RECURRING_NO_TIME, Meeting, User

LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300


def list_meetings(
    backend: ZoomBackend, user: User, list_type: str, page_size: int, page_token: str | None
) -> dict[str, Any]:
    if list_type not in LIST_TYPES:
        raise errors.validation_failed("type")
    if page_size < 1:
        raise errors.validation_failed("page_size")
    size = min(page_size, MAX_PAGE_SIZE)  # Zoom caps rather than refuses
    with backend.lock:
        now = backend.now()
        after = _after(backend, user, list_type, page_token, now)
        chosen = sorted(
            (
                (entry[0], meeting, entry[1])
                for meeting in backend.store.hosted_by(user.account_id)
                if (entry := _listed(meeting, list_type, now)) is not None
            ),
            key=lambda chosen_entry: chosen_entry[0],
        )
        remaining = [entry for entry in chosen if after is None or entry[0] > after]
        page = remaining[:size]
        items = [views.list_item(meeting, start) for _, meeting, start in page]
        next_token = ""
        if len(remaining) > size:
            cursor = Cursor(user.account_id, list_type, page[-1][0], now + TTL)
            next_token = backend.page_tokens.issue(cursor)
    return {
        "page_size": size,
        "total_records": len(chosen),
        "next_page_token": next_token,
        "meetings": items,
    }


def _after(
    backend: ZoomBackend, user: User, list_type: str, token: str | None, now: datetime
) -> tuple[float, int] | None:
    if not token:
        return None
    cursor = backend.page_tokens.take(token, user.account_id, list_type, now)
    if cursor is None:
        raise errors.bad_request("The next page token is invalid or expired.")
    return cursor.after


def _listed(
    meeting: Meeting, list_type: str, now: datetime
) -> tuple[tuple[float, int], datetime | None] | None:
    """(sort key, start shown) when `list_type` lists the meeting, else None."""
    if meeting.type == INSTANT or list_type == "live":
        return None
    if meeting.type == RECURRING_NO_TIME:
        if list_type == "previous_meetings":
            return None
        return (meeting.created_at.timestamp(), meeting.id), None
    starts = meeting.occurrence_starts() if meeting.type == RECURRING_FIXED else []
    if meeting.type != RECURRING_FIXED and meeting.start_time is not None:
        starts = [meeting.start_time]
    if not starts:
        return None
    length = timedelta(minutes=meeting.duration)
    start: datetime | None = starts[0]
    if list_type in ("upcoming", "upcoming_meetings"):
        start = next((s for s in starts if s + length > now), None)
    elif list_type == "previous_meetings":
        start = starts[-1] if starts[-1] + length <= now else None
    if start is None:
        return None
    return (start.timestamp(), meeting.id), start
