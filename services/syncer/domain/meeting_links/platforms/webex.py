"""Webex: meeting links by MTID (`<site>.webex.com/<site>/j.php?MTID=m…`, the event and
join-service variants) and personal rooms (`<site>.webex.com/meet/<user>` or `/join/<user>`).

The MTID names one meeting; a personal room is named by its site and user. Call-in and
recording pages on the same sites (`globalcallin.php`, `ldr.php`) are not joinable.
"""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("webex.com",)
_SITES = frozenset({"help", "www", "status", "developer", "community", "blog", "signin", "cart"})
_JOIN_PAGE = re.compile(r"/(?:[^/]+/)?(?:k2/)?[je]\.php|/wbxmjs/joinservice/.*", re.IGNORECASE)
_MTID = re.compile(r"m[0-9a-f]{32}", re.IGNORECASE)
_ROOM = re.compile(r"/(?:meet|join)/([A-Za-z0-9._-]{1,64})/?", re.IGNORECASE)


def recognise(link: Link) -> JoinLink | None:
    site = link.host.removesuffix("webex.com").rstrip(".")
    if site in _SITES:
        return None
    if _JOIN_PAGE.fullmatch(link.path):
        mtid = link.param("MTID") or ""
        if not _MTID.fullmatch(mtid):
            return None
        meeting_id = mtid.lower()
        return JoinLink("webex", link.url, meeting_id, keys.with_id("webex", meeting_id))
    if room := _ROOM.fullmatch(link.path):
        meeting_id = f"{site}/{room.group(1)}".lower()
        return JoinLink("webex", link.url, meeting_id, keys.with_id("webex", meeting_id))
    return None
