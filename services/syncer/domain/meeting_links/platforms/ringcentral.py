"""RingCentral Video and Meetings: `v.ringcentral.com/join/<id>`, `meetings.ringcentral.com/j/<id>`
and personal links (`…/my/<name>`). A `pw` parameter is an encoded passcode, as Zoom's `pwd`."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("ringcentral.com",)
_MEETING = re.compile(r"/(?:j|join)/(\d{9,12})/?", re.IGNORECASE)
_PERSONAL = re.compile(r"/my/([a-z][a-z0-9._-]{2,63})/?", re.IGNORECASE)
_SITES = frozenset({"support", "www", "service", "community", "status", "developers"})


def recognise(link: Link) -> JoinLink | None:
    if link.host.split(".", 1)[0] in _SITES:
        return None
    if meeting := _MEETING.fullmatch(link.path):
        number = meeting.group(1)
        key = keys.with_id("ringcentral", number)
        return JoinLink("ringcentral", link.url, number, key, admits=bool(link.param("pw")))
    if personal := _PERSONAL.fullmatch(link.path):
        url = keys.canonical_url(link.host, f"/my/{personal.group(1).lower()}")
        return JoinLink("ringcentral", link.url, None, url)
    return None
