"""Whereby rooms: `whereby.com/<room>` and `<team>.whereby.com/<room>`. A `roomKey` parameter is
the host's key (like a Zoom start link), so it is dropped from the reported URL and the key."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("whereby.com",)
_ROOM = re.compile(r"/([a-z0-9][a-z0-9-]{1,63})/?", re.IGNORECASE)
_SITES = frozenset({"help", "api", "docs", "blog", "status", "embed"})
_NOT_ROOMS = frozenset(
    {"information", "user", "login", "org-signup", "signup", "pricing", "blog", "features"}
    | {"legal", "about", "careers", "contact", "download", "support", "help", "partners"}
)


def recognise(link: Link) -> JoinLink | None:
    host = link.host.removeprefix("www.")
    room = _ROOM.fullmatch(link.path)
    if host.split(".", 1)[0] in _SITES or room is None:
        return None
    name = room.group(1).lower()
    if name in _NOT_ROOMS:
        return None
    url = keys.canonical_url(host, f"/{name}", link.query)
    return JoinLink("whereby", url, None, url)
