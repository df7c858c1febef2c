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
    places = _Places(_places(sources), other_hosts)
    chosen = _first_meeting(places)
    if chosen is None:
        return None
    copy = chosen.link if chosen.link.admits else _admitting_copy(places, chosen)
    return Meeting(
        url=copy.url,
        platform=chosen.link.platform,
        meeting_id=chosen.link.meeting_id,
        passcode=_passcode(places, chosen, copy),
        key=chosen.link.key,
    )


def _places(sources: MeetingSources) -> list[_Place]:
    places = [_Place(scanning.prepared(c.url), c.passcode) for c in sources.conference]
    texts = (sources.location, sources.description, sources.description_html)
    return places + [_Place(scanning.prepared(text)) for text in texts if text]


class _Places:
    """The event's places, each scanned for meeting links at most once."""

    def __init__(self, places: list[_Place], other_hosts: HostAllowList) -> None:
        self.places = places
        self._other_hosts = other_hosts
        self._seen: dict[int, list[_Sighting]] = {}

    def __len__(self) -> int:
        return len(self.places)

    def sightings(self, index: int) -> list[_Sighting]:
        """The recognised meeting links of one place, in text order."""
        found = self._seen.get(index)
        if found is None:
            found = self._seen[index] = list(_sightings(self.places, index, self._other_hosts))
        return found


def _first_meeting(places: _Places) -> _Sighting | None:
    for index in range(len(places)):
        fallback: _Sighting | None = None
        for sighting in places.sightings(index):
            if sighting.link.platform != "other":
                return sighting
            fallback = fallback or sighting
        if fallback is not None:
            return fallback
    return None


def _admitting_copy(places: _Places, chosen: _Sighting) -> links.JoinLink:
    for index in range(len(places)):
        for sighting in places.sightings(index):
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


def _passcode(places: _Places, chosen: _Sighting, copy: links.JoinLink) -> str | None:
    stated = places.places[chosen.place].passcode or copy.passcode or chosen.link.passcode
    if stated or chosen.link.platform not in passcodes.TEXT_PASSCODE_PLATFORMS:
        return stated
    key = chosen.link.key
    if after_link := _written_for(places, chosen.place, key, unclaimed=False):
        return after_link
    for index in range(len(places)):
        if unclaimed := _written_for(places, index, key, unclaimed=True):
            return unclaimed
    return None


def _written_for(places: _Places, index: int, key: str, *, unclaimed: bool) -> str | None:
    """The passcode one place writes for the meeting `key` (see `passcodes.belonging_to`)."""
    spans = [(s.link.key, s.start, s.end) for s in places.sightings(index)]
    field = places.places[index].field
    return passcodes.belonging_to(field, key, spans, unclaimed=unclaimed)
