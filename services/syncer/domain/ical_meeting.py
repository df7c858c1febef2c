"""The meeting of a VEVENT: its conference properties, LOCATION, DESCRIPTION and X-ALT-DESC
handed to `meeting_links` as a provider-neutral `MeetingSources`.

Conference properties in order: RFC 7986 `CONFERENCE` (video ones first), Google's
`X-GOOGLE-CONFERENCE`, Outlook's `X-MICROSOFT-SKYPETEAMSMEETINGURL` and
`X-MICROSOFT-ONLINEMEETINGCONFLINK`, then `URL`.
"""

from __future__ import annotations

import re
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
# The parser leaves X- property values escaped (RFC 5545 §3.3.11 TEXT escapes).
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")


def meeting_of(vevent: Component, other_hosts: HostAllowList) -> Meeting | None:
    return detect.find_meeting(sources_of(vevent), other_hosts)


def sources_of(vevent: Component) -> MeetingSources:
    urls = [*_conferences(vevent), *(_extension(vevent, name) for name in _EXTENSIONS)]
    urls.append(ical_props.text(vevent, "URL"))
    return MeetingSources(
        conference=tuple(ConferenceLink(url) for url in urls if url),
        location=ical_props.text(vevent, "LOCATION"),
        description=ical_props.text(vevent, "DESCRIPTION"),
        description_html=_alternative_description(vevent),
    )


def _conferences(vevent: Component) -> list[str]:
    """CONFERENCE values, those whose FEATURE names VIDEO first (RFC 7986 §5.11)."""
    found = ical_props.every(vevent, "CONFERENCE")
    return [str(c) for c in sorted(found, key=lambda c: not _has_video(c))]


def _has_video(conference: Any) -> bool:
    features = getattr(conference, "params", {}).get("FEATURE") or ()
    features = [features] if isinstance(features, str) else features
    return any(str(feature).upper() == "VIDEO" for feature in features)


def _extension(vevent: Component, name: str) -> str | None:
    value = ical_props.text(vevent, name)
    return None if value is None else _unescaped(value)


def _alternative_description(vevent: Component) -> str | None:
    """Outlook's HTML description, when X-ALT-DESC says it is HTML (or says nothing)."""
    alternative = ical_props.single(vevent, "X-ALT-DESC")
    kind = (ical_props.param(alternative, "FMTTYPE") or "text/html").lower()
    if alternative is None or kind != "text/html":
        return None
    return _unescaped(str(alternative))


def _unescaped(value: str) -> str:
    return _TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
