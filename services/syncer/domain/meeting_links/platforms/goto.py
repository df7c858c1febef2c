"""GoTo Meeting: numbered meetings (`global.gotomeeting.com/join/<id>`, `meet.goto.com/<id>`,
`app.goto.com/meeting/<id>`, `app.gotomeeting.com/?meetingId=<id>`) and personal meeting rooms
(`meet.goto.com/<name>`, formerly `gotomeet.me/<name>`, one room under both spellings)."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("gotomeeting.com", "goto.com", "gotomeet.me")
_NUMBER = re.compile(r"\d{9,10}")
_JOIN = re.compile(r"/(?:join|meeting)/(\d{9,10})/?", re.IGNORECASE)
_ROOM = re.compile(r"/([A-Za-z][A-Za-z0-9_-]{2,63})/?")
_NOT_ROOMS = frozenset({"install", "join", "meeting", "start", "download", "support", "login"})


def recognise(link: Link) -> JoinLink | None:
    host = link.host.removeprefix("www.")
    if host in ("global.gotomeeting.com", "gotomeeting.com", "app.goto.com"):
        return _numbered(link, _JOIN.fullmatch(link.path))
    if host == "app.gotomeeting.com":
        number = link.param("meetingId") or ""
        return _with_number(link, number) if _NUMBER.fullmatch(number) else None
    if host == "meet.goto.com" and (numbered := _NUMBER.fullmatch(link.path.strip("/"))):
        return _with_number(link, numbered.group())
    if host in ("meet.goto.com", "gotomeet.me") and (room := _ROOM.fullmatch(link.path)):
        name = room.group(1).lower()
        if name in _NOT_ROOMS:
            return None
        return JoinLink("goto", link.url, None, keys.canonical_url("meet.goto.com", f"/{name}"))
    return None


def _numbered(link: Link, join: re.Match[str] | None) -> JoinLink | None:
    return _with_number(link, join.group(1)) if join else None


def _with_number(link: Link, number: str) -> JoinLink:
    return JoinLink("goto", link.url, number, keys.with_id("goto", number))
