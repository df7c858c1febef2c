"""Meeting-link detection on one core: events' candidate fields per second over a mix of
real-shaped descriptions (as in a work calendar: many without a link, Zoom, Meet and Teams
invitations, Outlook HTML bodies), the slowest shape alone, and a hostile 10 MB description.

Run alone with `python -m bench.meeting_links`; `make bench` includes it.
"""

from __future__ import annotations

import random
import time
from typing import Any

from services.syncer.domain.meeting_links.detect import find_meeting
from services.syncer.domain.meeting_links.platforms.other import NO_HOSTS
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources

_TEAMS_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ1ZGIyYTctYWQ2Zi00ZDE5LWI1ZTMtNzI4"
    "NjM3NDhiZjE0%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47"
    "%22%2c%22Oid%22%3a%22b0a5e0d5-4c4e-4d57-9c46-2c4f6f3c9a11%22%7d"
)
_SAFELINKS = (
    "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2F"
    "meetup-join%2F19%253ameeting_NjQ1ZGIyYTctYWQ2Zi00ZDE5LWI1ZTMtNzI4NjM3NDhiZjE0%2540thread.v2"
    "%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af-91ab-2d7cd011db47%2522%257d"
    "&amp;data=05%7C02%7Calice%40example.com%7C9f1c%7C72f988bf86f141af91ab2d7cd011db47%7C1%7C0%7C"
    "638512345678901234%7CUnknown%7CTWFpbGZsb3d8eyJWIjoiMC4wLjAwMDAiLCJQIjoiV2luMzIiLCJBTiI6Ik1h"
    "aWwiLCJXVCI6Mn0%3D%7C0%7C%7C%7C&amp;sdata=k3Jd8%2FabCdEf%2BghIJ0%3D&amp;reserved=0"
)
ZOOM_INVITATION = """Alice Example is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1

Meeting ID: 855 5123 4567
Passcode: 438211

---

One tap mobile
+16465588656,,85551234567#,,,,*438211# US (New York)
+16469313860,,85551234567#,,,,*438211# US

---

Dial by your location
• +1 646 558 8656 US (New York)
• +1 301 715 8592 US (Washington DC)

Find your local number: https://us02web.zoom.us/u/kdXYZabc

Join by SIP
• 85551234567@zoomcrc.com
"""
MEET_HTML = (
    "Agenda:<br><ul><li>Roadmap</li><li>Hiring &amp; budget</li></ul><br>-::~:~::~:~:~:~:~::~:~::-"
    '<br>Join with Google Meet: <a href="https://meet.google.com/abc-defg-hij">https://meet.google'
    ".com/abc-defg-hij</a><br>Or dial: (US) +1 575-222-0199 PIN: 123456789#<br>More phone numbers:"
    ' <a href="https://tel.meet/abc-defg-hij?pin=123456789">https://tel.meet/abc-defg-hij?pin=1234'
    '56789</a><br><br>Learn more about Meet at: <a href="https://support.google.com/a/users/answer/'
    '9282720">https://support.google.com/a/users/answer/9282720</a><br><br>Please do not edit this'
    " section.<br>-::~:~::~:~:~:~:~::~:~::-"
)
TEAMS_HTML = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
    + "<p>Agenda: quarterly review of the roadmap, hiring and budget. Please read the attached"
    " documents before the meeting.</p>"
    * 15
    + '<div class="me-email-text" lang="en-US" style="color:#252424;font-family:\'Segoe UI\','
    "'Helvetica Neue',Helvetica,Arial,sans-serif\"><div style=\"margin-top:24px;margin-bottom:"
    '20px"><span style="font-size:24px;color:#252424">Microsoft Teams meeting</span></div><div'
    ' style="margin-bottom:20px"><span style="font-size:14px;color:#252424">Join on your computer,'
    f' mobile app or room device</span><br><a class="me-email-headline" href="{_SAFELINKS}"'
    ' target="_blank" style="font-size:14px;text-decoration:underline;color:#6264a7">Click here to'
    ' join the meeting</a></div><div style="margin-bottom:20px"><span style="font-size:14px;color:'
    '#252424">Meeting ID: <span style="font-size:16px">272 811 445 026</span></span><br><span'
    ' style="font-size:14px;color:#252424">Passcode: </span><span style="font-size:16px;color:'
    '#252424">8Qs9Cz</span></div><div><span style="font-size:14px">Need help? <a href="https://'
    'aka.ms/JoinTeamsMeeting?omkt=en-US">Contact support</a></span></div><div><a href="https://'
    "teams.microsoft.com/meetingOptions/?organizerId=b0a5e0d5&amp;tenantId=72f988bf&amp;threadId="
    '19_meeting_NjQ1@thread.v2&amp;messageId=0&amp;language=en-US">Meeting options</a></div></div>'
    "</body></html>"
)
WEBEX_INVITATION = """Join meeting
https://acme.webex.com/acme/j.php?MTID=m7f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c

Join by meeting number
Meeting number (access code): 2634 123 4567
Meeting password: Xy7kQ2mP

Global call-in numbers
https://acme.webex.com/acme/globalcallin.php?MTID=m1234567890abcdef1234567890abcdef
"""
AGENDA = (
    "Weekly 1:1. Topics: hiring plan, Q3 goals, feedback on the design review.\n"
    "Bring the numbers from last week's report. Notes: https://docs.google.com/document/d/1AbC/edit\n"
)

# One calendar's worth of events, by share: (name, fields, how many of every 20 events).
MIX: list[tuple[str, MeetingSources, int]] = [
    ("no description", MeetingSources(location="Room 4.12"), 3),
    ("agenda, no link", MeetingSources(description=AGENDA), 4),
    ("zoom invitation", MeetingSources(location="Zoom", description=ZOOM_INVITATION), 4),
    ("google meet", MeetingSources(description=MEET_HTML), 2),
    (
        "google meet, structured",
        MeetingSources(
            conference=(ConferenceLink("https://meet.google.com/abc-defg-hij"),),
            description=MEET_HTML,
        ),
        2,
    ),
    ("teams, outlook html body", MeetingSources(description=TEAMS_HTML), 2),
    ("teams, structured", MeetingSources(conference=(ConferenceLink(_TEAMS_URL),)), 2),
    ("webex invitation", MeetingSources(description=WEBEX_INVITATION), 1),
]


def descriptions_per_second(events: list[MeetingSources], seconds: float) -> int:
    """Detections per second over `events`, repeated for at least `seconds`."""
    done = 0
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        for sources in events:
            find_meeting(sources, NO_HOSTS)
        done += len(events)
    return round(done / elapsed)


def hostile_ten_megabytes_ms() -> float:
    """The slowest of a few 10 MB descriptions shaped to defeat naive patterns."""
    size = 10 * 1024 * 1024
    shapes = [
        "a." * (size // 2),
        "https://" * (size // 8),
        "zoom.us/j/1 " * (size // 12),
        "Passcode:<b>" * (size // 12),
        ("x" * 70 + "https://\r\n ") * (size // 80),
    ]
    slowest = 0.0
    for text in shapes:
        began = time.perf_counter()
        find_meeting(MeetingSources(location=text, description=text), NO_HOSTS)
        slowest = max(slowest, time.perf_counter() - began)
    return round(slowest * 1000, 1)


def measure(quick: bool) -> dict[str, Any]:
    events = [sources for _, sources, share in MIX for _ in range(share)]
    random.Random(7).shuffle(events)  # noqa: S311 - a fixed order, not a secret
    seconds = 0.5 if quick else 3.0
    return {
        "mix_descriptions_per_s": descriptions_per_second(events, seconds),
        "per_kind_per_s": {
            name: descriptions_per_second([sources], seconds / 4) for name, sources, _ in MIX
        },
        "hostile_10mb_ms": hostile_ten_megabytes_ms(),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure(quick=False), indent=2))
