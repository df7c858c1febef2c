"""Conference data: Google Meet conferences created on insert, Zoom add-on data for seeding.

Shapes follow providers.md §1.8; codes are derived from a stable string so data is reproducible.
"""

from __future__ import annotations

import hashlib
from typing import Any

MEET_ICON = "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
ZOOM_ICON = "https://lh3.googleusercontent.com/zoom-addon-icon"


def meet_code(basis: str) -> str:
    """A `abc-defg-hij` Meet code (3-4-3 lowercase letters) derived from `basis`."""
    digest = hashlib.sha256(basis.encode()).digest()
    letters = "".join(chr(ord("a") + b % 26) for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"


def meet_conference(basis: str, request_id: str | None = None) -> dict[str, Any]:
    """A created Meet conference; `request_id` echoes a client's `createRequest`."""
    code = meet_code(basis)
    pin = str(int(hashlib.sha256(code.encode()).hexdigest()[:12], 16))[:9].rjust(9, "1")
    data: dict[str, Any] = {
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            },
            {
                "entryPointType": "phone",
                "uri": "tel:+1-555-010-0199",
                "label": "+1 555-010-0199",
                "pin": pin,
                "regionCode": "US",
            },
            {"entryPointType": "more", "uri": f"https://tel.meet/{code}?pin={pin}", "pin": pin},
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": MEET_ICON,
        },
        "conferenceId": code,
    }
    if request_id is not None:
        data["createRequest"] = {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "success"},
        }
    return data


def zoom_conference(meeting_id: str, passcode: str) -> dict[str, Any]:
    """Zoom add-on conference data as the Zoom for Google Workspace add-on writes it."""
    url = f"https://us02web.zoom.us/j/{meeting_id}?pwd={passcode}AbCxyz.1"
    return {
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": url,
                "label": url.removeprefix("https://"),
                "meetingCode": meeting_id,
                "passcode": passcode,
            },
            {
                "entryPointType": "phone",
                "uri": f"tel:+16465588656,,{meeting_id}#,,,,*{passcode}#",
                "label": "+1 646-558-8656",
                "regionCode": "US",
            },
        ],
        "conferenceSolution": {
            "key": {"type": "addOn"},
            "name": "Zoom Meeting",
            "iconUri": ZOOM_ICON,
        },
        "conferenceId": meeting_id,
        "parameters": {
            "addOnParameters": {"parameters": {"realMeetingId": meeting_id, "meetingType": "2"}}
        },
    }


def meet_link(conference: dict[str, Any] | None) -> str | None:
    """The `hangoutLink` mirroring a Meet conference's video entry point."""
    if not conference or conference.get("conferenceSolution", {}).get("key", {}).get("type") != (
        "hangoutsMeet"
    ):
        return None
    for entry in conference.get("entryPoints", []):
        if entry.get("entryPointType") == "video":
            uri = entry.get("uri")
            return uri if isinstance(uri, str) else None
    return None
