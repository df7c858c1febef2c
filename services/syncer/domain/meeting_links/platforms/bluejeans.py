"""BlueJeans: `bluejeans.com/<meeting id>[/<passcode>]` on the main site or a company subdomain."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("bluejeans.com",)
_MEETING = re.compile(r"/(\d{6,13})(?:/(\d{1,10}))?(?:/webrtc|/browser)?/?", re.IGNORECASE)
_SITES = frozenset({"support", "www2", "status", "blog", "community"})


def recognise(link: Link) -> JoinLink | None:
    meeting = _MEETING.fullmatch(link.path)
    if link.host.split(".", 1)[0] in _SITES or meeting is None:
        return None
    number, passcode = meeting.groups()
    key = keys.with_id("bluejeans", number)
    return JoinLink("bluejeans", link.url, number, key, passcode, admits=passcode is not None)
