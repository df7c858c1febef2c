"""The meeting of a Graph event: `onlineMeeting.joinUrl` (Teams, Skype), then the legacy
`onlineMeetingUrl`, then `location.displayName` (and the other `locations`), then the `body`
(HTML or text; Zoom and Webex add-ins put their links there, providers.md §2.4), handed to
`meeting_links` as a provider-neutral `MeetingSources`.
"""

from __future__ import annotations

from typing import Any

from services.syncer.domain.meeting_links import detect
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from shared.contracts.events import Meeting


def meeting_of(event: dict[str, Any], other_hosts: HostAllowList) -> Meeting | None:
    return detect.find_meeting(sources_of(event), other_hosts)


def sources_of(event: dict[str, Any]) -> MeetingSources:
    online = event.get("onlineMeeting")
    join = _text(online.get("joinUrl")) if isinstance(online, dict) else None
    links = [url for url in (join, _text(event.get("onlineMeetingUrl"))) if url]
    content, html = body_of(event)
    return MeetingSources(
        conference=tuple(ConferenceLink(url) for url in links),
        location=_locations(event),
        description=None if html else content,
        description_html=content if html else None,
    )


def body_of(event: dict[str, Any]) -> tuple[str | None, bool]:
    """The body's content and whether it is HTML (`contentType`)."""
    body = event.get("body")
    if not isinstance(body, dict):
        return None, False
    content = _text(body.get("content"))
    return content, str(body.get("contentType", "")).lower() == "html"


def location_of(event: dict[str, Any]) -> str | None:
    location = event.get("location")
    return _text(location.get("displayName")) if isinstance(location, dict) else None


def _locations(event: dict[str, Any]) -> str | None:
    """The location's name, and any other locations' names, one per line."""
    names = [location_of(event)]
    others = event.get("locations")
    for entry in others if isinstance(others, list) else []:
        name = _text(entry.get("displayName")) if isinstance(entry, dict) else None
        if name not in names:
            names.append(name)
    found = [name for name in names if name]
    return "\n".join(found) if found else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
