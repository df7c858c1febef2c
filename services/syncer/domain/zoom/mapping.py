"""One Zoom meeting (`format: zoom`: `GET /meetings/{id}` without `start_url`) → its events.

A meeting with a fixed time is one event; a recurring one with a fixed time (type 8) is one
event per listed occurrence (deleted ones aside). Ids derive like the other providers', from
(calendar, the Zoom meeting id, a key): "" for a single meeting, for an occurrence the date it
falls on in the meeting's zone (`instance_keys`; Zoom has no original start apart from the
start), so full resyncs and a retime of the series within the day land on the same ids; a
recurring meeting's occurrences share the series of its meeting id.

Title is the topic, the description the agenda; start is `start_time` (UTC), end start +
`duration` minutes, the zone Zoom's `timezone` (the calendar's when it names none). There is
no location. Status is confirmed (Zoom lists only live meetings). The organizer is the host:
the account itself (`/users/me/meetings`), by its email (`host_email`, else the account's
only address), with no name (Zoom gives none). There are no attendees. The meeting block
comes from `join_url` as a structured conference link, the structured `password` as its
passcode. The meeting's JSON is kept as `raw`, capped.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.syncer.domain import ical_mapping, instance_keys, people, text, time_zones
from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.meeting_links import detect
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from shared.contracts.events import EventState, Meeting, Person

FORMAT = "zoom"
RECURRING_FIXED_TIME = 8


def map_meeting(data: str, object_id: str, context: MappingContext) -> list[EventState]:
    """The events of one Zoom meeting (its JSON text)."""
    try:
        meeting = json.loads(data)
    except ValueError as exc:
        raise MappingError("unparsable Zoom meeting JSON") from exc
    if not isinstance(meeting, dict):
        raise MappingError("a Zoom meeting is a JSON object")
    listed = _occurrences(meeting)
    if meeting.get("type") == RECURRING_FIXED_TIME and listed is not None:
        # Keyed over every listed occurrence, deleted ones too: deleting one never re-keys
        # (or hands its id to) another on its day.
        keys = _keys(meeting, listed, context)
        live = [o for o in listed if o.get("status") != "deleted"]
        return [_event(meeting, object_id, context, o, keys) for o in live]
    return [_event(meeting, object_id, context, None, {})]


def _occurrences(meeting: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every listed occurrence, deleted ones included."""
    found = meeting.get("occurrences")
    if not isinstance(found, list):
        return None
    return [o for o in found if isinstance(o, dict)]


def _keys(
    meeting: dict[str, Any], occurrences: list[dict[str, Any]], context: MappingContext
) -> dict[datetime | date, str]:
    """Each occurrence start's key, by the date it falls on in the meeting's zone; the
    meeting's own time of day is its `start_time`'s there."""
    zone = time_zones.iana_zone(time_zones.iana_name(_text(meeting.get("timezone"))))
    zone = zone or context.floating.zone
    starts = [_start_of(o) for o in occurrences]
    first = meeting.get("start_time")
    own = _instant(first).astimezone(zone).time() if first is not None else None
    return instance_keys.keys_of([s for s in starts if s is not None], zone, own)


def _start_of(occurrence: dict[str, Any]) -> datetime | None:
    """A listed occurrence's start; a deleted one's may be unreadable (it is not an event)."""
    if occurrence.get("status") != "deleted":
        return _instant(occurrence.get("start_time"))
    try:
        return _instant(occurrence.get("start_time"))
    except MappingError:
        return None


def _event(
    meeting: dict[str, Any],
    object_id: str,
    context: MappingContext,
    occurrence: dict[str, Any] | None,
    keys: dict[datetime | date, str],
) -> EventState:
    timing = occurrence if occurrence is not None else meeting
    start = _instant(timing.get("start_time"))
    minutes = timing.get("duration", meeting.get("duration"))
    end = start + timedelta(minutes=minutes if isinstance(minutes, int) and minutes > 0 else 0)
    original = start if occurrence is not None else None
    description, description_truncated = text.description(meeting.get("agenda"))
    raw, raw_truncated = _raw(meeting)
    return EventState(
        id=instance_keys.instance_id(context.calendar_id, object_id, keys.get(start, "")),
        calendar_id=context.calendar_id,
        provider_event_id=object_id,
        ical_uid=None,
        series_id=(
            ical_mapping.series_id(context.calendar_id, f"zoom:{object_id}")
            if occurrence is not None
            else None
        ),
        is_recurring=occurrence is not None,
        is_exception=False,
        original_start_time=original,
        title=text.short(meeting.get("topic")),
        description=description,
        description_truncated=description_truncated,
        location=None,
        start_time=start,
        end_time=end,
        is_all_day=False,
        time_zone=_zone_name(meeting, context),
        status="confirmed",
        is_deleted=False,
        organizer=_host(meeting, context.own_addresses),
        attendees=(),
        meeting=meeting_of(meeting, context),
        raw=raw,
        raw_truncated=raw_truncated,
    )


def meeting_of(meeting: dict[str, Any], context: MappingContext) -> Meeting | None:
    join = _text(meeting.get("join_url"))
    sources = MeetingSources(
        conference=(ConferenceLink(join, _text(meeting.get("password"))),) if join else (),
        description=_text(meeting.get("agenda")),
    )
    return detect.find_meeting(sources, context.meeting_hosts)


def _host(meeting: dict[str, Any], own: frozenset[str]) -> Person:
    """The host: the account whose meetings these are."""
    address = people.address(meeting.get("host_email"))
    if address is None and len(own) == 1:
        address = next(iter(own))
    return people.person(address, None, address is None or address in own)


def _zone_name(meeting: dict[str, Any], context: MappingContext) -> str | None:
    """The meeting's IANA zone (`timezone`); the calendar's (the account's) when it names none."""
    name = _text(meeting.get("timezone"))
    return context.floating.name if name is None else time_zones.iana_name(name)


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise MappingError("a Zoom meeting without a start time is not an event")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError("unreadable Zoom start time") from exc
    if moment.tzinfo is None:
        raise MappingError("a Zoom start time is UTC")
    return moment.astimezone(UTC)


def _raw(meeting: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The meeting as it came; over the cap, its JSON text cut at the cap (flagged)."""
    serialized = json.dumps(meeting, ensure_ascii=False, separators=(",", ":"))
    if len(serialized.encode("utf-8")) <= text.RAW_LIMIT:
        return {"format": FORMAT, "data": meeting}, False
    data, _ = text.cap_utf8(serialized, text.RAW_LIMIT)
    return {"format": FORMAT, "data": data}, True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
