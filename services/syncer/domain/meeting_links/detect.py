"""The event's meeting from its candidate fields: the first place (in `MeetingSources` order)
holding a recognised link decides the meeting; within a place the first link of a known
platform wins, an allow-listed `other` link only when the place has none.

The reported URL is the first copy of that meeting that admits its holder by itself (Zoom's
`pwd`, Teams' `p=`), else the first copy. The passcode is the structured field's, else the
link's own, else (Zoom, Teams, Webex) the first one written after a link of that meeting and
before any other meeting's link, else one written before any meeting link.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from services.syncer.domain.meeting_links import (
    cleanup,
    links,
    passcodes,
    platforms,
    redirects,
    scanning,
)
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import MeetingSources
from shared.contracts.events import Meeting


@dataclass(frozen=True, slots=True)
class _Place:
    """One candidate field, prepared for scanning, and the passcode it states, if any."""

    field: scanning.Field
    passcode: str | None = None


@dataclass(frozen=True, slots=True)
class _Sighting:
    link: links.JoinLink
    place: int
    start: int
    end: int


def find_meeting(sources: MeetingSources, other_hosts: HostAllowList) -> Meeting | None:
    """The `meeting` block (`../shared/api.md`) of an event with these fields, or None."""
    places = _places(sources)
    chosen = _first_meeting(places, other_hosts)
    if chosen is None:
        return None
    copy = chosen.link if chosen.link.admits else _admitting_copy(places, chosen, other_hosts)
    return Meeting(
        url=copy.url,
        platform=chosen.link.platform,
        meeting_id=chosen.link.meeting_id,
        passcode=_passcode(places, chosen, copy, other_hosts),
        key=chosen.link.key,
    )


def _places(sources: MeetingSources) -> list[_Place]:
    places = [_Place(scanning.prepared(c.url), c.passcode) for c in sources.conference]
    texts = (sources.location, sources.description, sources.description_html)
    return places + [_Place(scanning.prepared(text)) for text in texts if text]


def _first_meeting(places: list[_Place], other_hosts: HostAllowList) -> _Sighting | None:
    for index in range(len(places)):
        fallback: _Sighting | None = None
        for sighting in _sightings(places, index, other_hosts):
            if sighting.link.platform != "other":
                return sighting
            fallback = fallback or sighting
        if fallback is not None:
            return fallback
    return None


def _admitting_copy(
    places: list[_Place], chosen: _Sighting, other_hosts: HostAllowList
) -> links.JoinLink:
    for index in range(len(places)):
        for sighting in _sightings(places, index, other_hosts):
            if sighting.link.key == chosen.link.key and sighting.link.admits:
                return sighting.link
    return chosen.link


def _sightings(places: list[_Place], index: int, other_hosts: HostAllowList) -> Iterator[_Sighting]:
    """The recognised meeting links of one place, in text order."""
    for token, start, end in places[index].field.links():
        link = links.parse(cleanup.absolute_url(token))
        found = platforms.recognise(redirects.unwrap(link), other_hosts) if link else None
        if found is not None:
            yield _Sighting(found, index, start, end)


def _passcode(
    places: list[_Place], chosen: _Sighting, copy: links.JoinLink, other_hosts: HostAllowList
) -> str | None:
    stated = places[chosen.place].passcode or copy.passcode or chosen.link.passcode
    if stated or chosen.link.platform not in passcodes.TEXT_PASSCODE_PLATFORMS:
        return stated
    key = chosen.link.key
    if after_link := _written_for(places, chosen.place, key, other_hosts, unclaimed=False):
        return after_link
    for index in range(len(places)):
        if unclaimed := _written_for(places, index, key, other_hosts, unclaimed=True):
            return unclaimed
    return None


def _written_for(
    places: list[_Place], index: int, key: str, other_hosts: HostAllowList, *, unclaimed: bool
) -> str | None:
    """The passcode one place writes for the meeting `key` (see `passcodes.belonging_to`)."""
    spans = [(s.link.key, s.start, s.end) for s in _sightings(places, index, other_hosts)]
    return passcodes.belonging_to(places[index].field, key, spans, unclaimed=unclaimed)
