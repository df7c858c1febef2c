"""Microsoft Teams: `l/meetup-join/<thread>/<message>` links (work, consumer, GCC-High, DoD,
`teams.cloud.microsoft`), kept byte-for-byte since the `context` query holds encoded JSON, and
the short `meet/<digits>?p=<passcode>` form. Meeting-options and other Teams pages are refused.

The meeting id is the decoded thread id (`19:meeting_…@thread.v2`), followed by `/<message id>`
for channel meetings, whose thread is the channel's; or the short form's number.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = (
    "teams.microsoft.com",
    "teams.live.com",
    "teams.cloud.microsoft",
    "gov.teams.microsoft.us",
    "dod.teams.microsoft.us",
)
_MEETUP = re.compile(r"(?:/_|/v2/?)?#?/l/meetup-join/([^/?#]+)/([^/?#]*)", re.IGNORECASE)
_SHORT = re.compile(r"/meet/(\d{9,16})/?", re.IGNORECASE)
_DECODE_ROUNDS = 3


def recognise(link: Link) -> JoinLink | None:
    if link.host not in DOMAINS:
        return None
    # The new web client's form puts the path in the fragment: `/v2/?meetingjoin=true#/l/…`.
    path = link.path if "meetup-join" in link.path else link.path + "#" + link.fragment
    if meetup := _MEETUP.match(path):
        return _meetup_join(link, meetup.group(1), meetup.group(2))
    if short := _SHORT.fullmatch(link.path):
        passcode = link.param("p") or None
        number = short.group(1)
        return JoinLink(
            "teams", link.url, number, keys.with_id("teams", number), passcode, bool(passcode)
        )
    return None


def _meetup_join(link: Link, thread: str, message: str) -> JoinLink | None:
    thread = _decoded(thread)
    if not thread.startswith("19:") or "@thread" not in thread:
        return None
    message = _decoded(message)
    meeting_id = thread if message in ("", "0") else f"{thread}/{message}"
    return JoinLink("teams", link.url, meeting_id, keys.with_id("teams", meeting_id))


def _decoded(value: str) -> str:
    """Percent-decoded until stable (launcher and SafeLinks copies are sometimes encoded twice)."""
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value
