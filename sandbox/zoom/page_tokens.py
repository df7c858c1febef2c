"""`next_page_token`s of meeting listings: opaque strings naming where the next page starts, bound
to the account and listing type, living 15 minutes as Zoom's do
(https://developers.zoom.us/docs/api/using-zoom-apis/#pagination)."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

TTL = timedelta(minutes=15)
KEPT = 10_000  # live tokens at most; the least recently issued go first


@dataclass(frozen=True)
class Cursor:
    account_id: str
    list_type: str
    after: tuple[float, int]  # sort key of the last item served: (start timestamp, meeting id)
    expires_at: datetime


class PageTokens:
    def __init__(self) -> None:
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()

    def issue(self, cursor: Cursor) -> str:
        token = secrets.token_urlsafe(24)
        self._cursors[token] = cursor
        while len(self._cursors) > KEPT:
            self._cursors.popitem(last=False)
        return token

    def take(self, token: str, account_id: str, list_type: str, now: datetime) -> Cursor | None:
        """The cursor behind a live token of this account and listing type, else None."""
        cursor = self._cursors.get(token)
        if cursor is None or now >= cursor.expires_at:
            self._cursors.pop(token, None)
            return None
        if (cursor.account_id, cursor.list_type) != (account_id, list_type):
            return None
        return cursor

    def clear(self) -> None:
        self._cursors.clear()
