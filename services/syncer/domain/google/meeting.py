"""The meeting of a Google event: `conferenceData`'s video entry point (with its passcode),
then `hangoutLink`, then the location and the description (often HTML), handed to
`meeting_links` as a provider-neutral `MeetingSources` (providers.md §1.8).
"""

from __future__ import annotations

from typing import Any

from services.syncer.domain.html_text import looks_like_html
from services.syncer.domain.meeting_links import detect
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from shared.contracts.events import Meeting


def meeting_of(event: dict[str, Any], other_hosts: HostAllowList) -> Meeting | None:
    return detect.find_meeting(sources_of(event), other_hosts)


def sources_of(event: dict[str, Any]) -> MeetingSources:
    conference = [*_video_entry_points(event)]
    hangout = _text(event.get("hangoutLink"))
    if hangout:
        conference.append(ConferenceLink(hangout))
    description = _text(event.get("description"))
    html = description is not None and looks_like_html(description)
    return MeetingSources(
        conference=tuple(conference),
        location=_text(event.get("location")),
        description=None if html else description,
        description_html=description if html else None,
    )


def _video_entry_points(event: dict[str, Any]) -> list[ConferenceLink]:
    data = event.get("conferenceData")
    points = data.get("entryPoints") if isinstance(data, dict) else None
    found: list[ConferenceLink] = []
    for point in points if isinstance(points, list) else []:
        if not isinstance(point, dict) or point.get("entryPointType") != "video":
            continue
        uri = _text(point.get("uri"))
        if uri:
            passcode = _text(point.get("passcode")) or _text(point.get("password"))
            found.append(ConferenceLink(uri, passcode))
    return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
