"""Teams meetings as Graph attaches them to events with `isOnlineMeeting` (providers.md §2.4):
a real-shaped `meetup-join` URL, a conference id, and the join block Outlook adds to the body."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from typing import Any
from urllib.parse import quote

from sandbox.microsoft import identifiers

PROVIDER = "teamsForBusiness"
LOCATION = "Microsoft Teams Meeting"
PROVIDERS = ("teamsForBusiness", "skypeForBusiness", "skypeForConsumer", "unknown")


def online_meeting(basis: str, organizer_email: str) -> dict[str, Any]:
    """`onlineMeeting` for a new Teams meeting; `basis` makes seeded meetings reproducible."""
    digest = hashlib.sha256(f"teams:{basis}".encode()).digest()
    thread = base64.b64encode(str(uuid.UUID(bytes=digest[:16])).encode()).decode().rstrip("=")
    context = (
        f'{{"Tid":"{identifiers.TENANT_ID}","Oid":"{identifiers.user_object_id(organizer_email)}"}}'
    )
    join_url = (
        "https://teams.microsoft.com/l/meetup-join/"
        + _escaped(f"19:meeting_{thread}@thread.v2")
        + "/0?context="
        + _escaped(context)
    )
    conference_id = str(100_000_000 + int.from_bytes(digest[16:20], "big") % 900_000_000)
    return {
        "joinUrl": join_url,
        "conferenceId": conference_id,
        "tollNumber": "+1 323-555-0166",
        "tollFreeNumbers": [],
        "phones": [],
        "quickDial": f"+1 323-555-0166,,{conference_id}#",
    }


def body_block(join_url: str) -> str:
    """The HTML Outlook appends to a Teams meeting's body."""
    return (
        '<div style="width:100%"><span style="white-space:nowrap">________________</span></div>'
        "<div><b>Microsoft Teams meeting</b></div>"
        f'<div><a href="{join_url}">Join the meeting now</a></div>'
    )


def _escaped(text: str) -> str:
    """Percent-encoded with lowercase hex digits, as Teams writes its links."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(text, safe=""))
