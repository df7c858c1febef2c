"""The CalDAV provider against Xandikos, whose quirks differ from Radicale's (412 for an invalid
sync token, a default calendar under /user/calendars/)."""

from __future__ import annotations

import caldav
import pytest

from services.connector.providers.base import InvalidSyncCursor
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.guarded_http import HttpLimits

LIMITS = HttpLimits(allow_loopback=True, request_seconds=10, max_response_bytes=1 << 24)


EVENT = (
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:{uid}\n"
    "DTSTAMP:20260101T000000Z\nDTSTART:20300101T100000Z\nDTEND:20300101T110000Z\n"
    "SUMMARY:{uid}\nEND:VEVENT\nEND:VCALENDAR\n"
)


async def test_discovery_sync_and_an_invalid_token_on_xandikos(xandikos: str) -> None:
    provider = CaldavProvider(LIMITS, 4)
    credentials = provider.parse_credentials({"url": xandikos, "username": "u", "password": "p"})
    found = await provider.discover(credentials, None)
    assert found.url == xandikos + "user/calendars/calendar/"
    with caldav.DAVClient(url=xandikos, username="u", password="p") as client:
        calendar = client.calendar(url=found.url)
        calendar.add_event(EVENT.format(uid="xan-1"))
        calendar.add_event(EVENT.format(uid="xan-2"))

    first = await provider.fetch_changes(credentials, found.url, None)
    assert first.full and len(first.objects) == 2 and first.cursor
    with caldav.DAVClient(url=xandikos, username="u", password="p") as client:
        client.calendar(url=found.url).get_event_by_uid("xan-2").delete()
    later = await provider.fetch_changes(credentials, found.url, first.cursor)
    assert not later.full and later.objects == () and len(later.removed) == 1

    with pytest.raises(InvalidSyncCursor):  # Xandikos answers 412 with valid-sync-token
        await provider.fetch_changes(credentials, found.url, "0123456789abcdef0123")
