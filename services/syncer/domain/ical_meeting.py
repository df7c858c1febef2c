"""The meeting of a VEVENT: its conference properties, LOCATION, DESCRIPTION and X-ALT-DESC
handed to `meeting_links` as a provider-neutral `MeetingSources`.

Conference properties in order: RFC 7986 `CONFERENCE` (video ones first), Google's
`X-GOOGLE-CONFERENCE`, Outlook's `X-MICROSOFT-SKYPETEAMSMEETINGURL` and
`X-MICROSOFT-ONLINEMEETINGCONFLINK`, then `URL`.
"""

from __future__ import annotations

from typing import Any

from icalendar import Component

from services.syncer.domain import ical_props
from services.syncer.domain.meeting_links import detect
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from shared.contracts.events import Meeting

_EXTENSIONS = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)


def meeting_of(vevent: Component, other_hosts: HostAllowList) -> Meeting | None:
    return detect.find_meeting(sources_of(vevent), other_hosts)


def sources_of(vevent: Component) -> MeetingSources:
    urls = [*_conferences(vevent), *(ical_props.extension_text(vevent, n) for n in _EXTENSIONS)]
    urls.append(ical_props.text(vevent, "URL"))
    return MeetingSources(
        conference=tuple(ConferenceLink(url) for url in urls if url),
        location=ical_props.text(vevent, "LOCATION"),
        description=ical_props.text(vevent, "DESCRIPTION"),
        description_html=ical_props.html_description(vevent),
    )


def _conferences(vevent: Component) -> list[str]:
    """CONFERENCE values, those whose FEATURE names VIDEO first (RFC 7986 §5.11)."""
    found = ical_props.every(vevent, "CONFERENCE")
    return [str(c) for c in sorted(found, key=lambda c: not _has_video(c))]


def _has_video(conference: Any) -> bool:
    features = getattr(conference, "params", {}).get("FEATURE") or ()
    features = [features] if isinstance(features, str) else features
    return any(str(feature).upper() == "VIDEO" for feature in features)
