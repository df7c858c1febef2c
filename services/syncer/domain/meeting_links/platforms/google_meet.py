"""Google Meet: `meet.google.com/<abc-defg-hij>` (any case, dashes optional, also under `_meet/`)
and legacy `lookup/<name>` links. Livestreams (`stream.meet.google.com`) are not joinable."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("meet.google.com",)
_CODE = re.compile(r"/(?:_meet/)?([a-z]{3})-?([a-z]{4})-?([a-z]{3})/?", re.IGNORECASE)
_LOOKUP = re.compile(r"/lookup/([A-Za-z0-9_-]{1,64})/?")


def recognise(link: Link) -> JoinLink | None:
    if link.host != "meet.google.com":
        return None
    if code := _CODE.fullmatch(link.path):
        meeting_id = "-".join(code.groups()).lower()
        url = f"https://meet.google.com/{meeting_id}"  # without per-user `authuser`/`hs`
        return JoinLink("google_meet", url, meeting_id, keys.with_id("google_meet", meeting_id))
    if lookup := _LOOKUP.fullmatch(link.path):
        url = keys.canonical_url(link.host, f"/lookup/{lookup.group(1).lower()}")
        return JoinLink("google_meet", url, None, url)
    return None
