"""Amazon Chime: `chime.aws/<10-digit meeting id>`."""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("chime.aws",)
_MEETING = re.compile(r"/(\d{10})/?")


def recognise(link: Link) -> JoinLink | None:
    meeting = _MEETING.fullmatch(link.path)
    if link.host not in ("chime.aws", "app.chime.aws") or meeting is None:
        return None
    return JoinLink("chime", link.url, meeting.group(1), keys.with_id("chime", meeting.group(1)))
