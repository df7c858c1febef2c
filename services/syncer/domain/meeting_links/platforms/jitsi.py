"""Jitsi Meet on meet.jit.si and 8x8.vc (`8x8.vc/<tenant>/<room>`); self-hosted Jitsi is
`other` through the allow-list. Rooms have no id: the key is the canonical URL, room names
lower-cased as Jitsi itself treats them."""

from __future__ import annotations

import re
from urllib.parse import unquote

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("meet.jit.si", "8x8.vc")
_NAME = re.compile(r"[^./?#\s][^/?#.\s]{0,127}")
_NOT_ROOMS = frozenset({"static", "libs", "sounds", "images", "fonts", "lang", "http-bind"})


def recognise(link: Link) -> JoinLink | None:
    if link.host not in DOMAINS:
        return None
    names = [unquote(segment).lower() for segment in link.segments()]
    most = 1 if link.host == "meet.jit.si" else 2
    if not 1 <= len(names) <= most or not all(_NAME.fullmatch(name) for name in names):
        return None
    if names[0] in _NOT_ROOMS:
        return None
    return JoinLink("jitsi", link.url, None, keys.canonical_url(link.host, "/" + "/".join(names)))
