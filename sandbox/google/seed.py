"""Deterministic bulk data (`POST /_admin/seed`): calendars full of plausible meetings.

Ids derive from (account email, seed, position): calendar ids from the number of calendars the
account has, event ids from the number of events in their calendar, so the same seed on a fresh
account with the same email gives the same ids, whatever the account id. Everything else derives
from `random.Random(seed)`, except that times are anchored on the day the seed runs (events spread
over the next ~60 days; `created`/`updated` are the seeding moment): a seed run on another day
gives the same events, shifted. A share of events are weekly series, a share carry Meet or Zoom
links (as conference data, in the location or in the description), some are organized by someone
else. Events are built directly (no request validation) so 100,000 take a few seconds.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sandbox.google import conference
from sandbox.google.store import Calendar, Store, StoredEvent
from sandbox.google.times import EventTime
from sandbox.world import Account, SeedRequest

SPREAD_DAYS = 60
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles")
TOPICS = (
    "Roadmap",
    "Standup",
    "Design review",
    "1:1",
    "Planning",
    "Retro",
    "Sync",
    "Interview",
    "Demo",
)
TEAMS = ("Platform", "Growth", "Billing", "Mobile", "Data", "Security", "Support", "Sales")
PEOPLE = ("ada", "grace", "alan", "edsger", "barbara", "donald", "frances", "ken", "radia", "linus")
T = TypeVar("T")


def seed_account(
    store: Store, account: Account, request: SeedRequest, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Add the requested calendars (the first is the primary) and events; returns a summary and
    the ids of the calendars that changed."""
    rng = random.Random(request.seed)  # noqa: S311 - reproducible test data, not secrets
    anchor = now.date()
    calendars = _calendars(store, account, request, rng, now)
    counts = {"events": 0, "recurring": 0, "with_meeting_links": 0}
    for calendar in calendars:
        for _ in range(request.events_per_calendar):
            event = _event(calendar, account, request, rng, anchor, now, counts)
            store.touch(calendar, event, now)
    summary = {"calendars": [c.id for c in calendars], **counts}
    return summary, [c.id for c in calendars]


def _calendars(
    store: Store, account: Account, request: SeedRequest, rng: random.Random, now: datetime
) -> list[Calendar]:
    existing = store.account_calendars(account.id)
    primary = next(c for c in existing if c.primary)
    chosen = [primary]
    for index in range(1, request.calendars):
        basis = f"{account.email}/{request.seed}/{len(existing)}/{index}"
        calendar_id = hashlib.sha256(basis.encode()).hexdigest()[:26] + "@group.calendar.google.com"
        calendar = Calendar(
            id=calendar_id,
            account_id=account.id,
            summary=f"{rng.choice(TEAMS)} team",
            time_zone=rng.choice(ZONES),
            primary=False,
            updated=now,
            color_id=str(rng.randint(1, 24)),
        )
        store.add_calendar(calendar)
        chosen.append(calendar)
    return chosen[: request.calendars]


def _event(
    calendar: Calendar,
    account: Account,
    request: SeedRequest,
    rng: random.Random,
    anchor: date,
    now: datetime,
    counts: dict[str, int],
) -> StoredEvent:
    draw = rng.random
    event_id = _unique_id(calendar, f"{account.email}/{request.seed}/{len(calendar.events)}")
    day = anchor + timedelta(days=int(draw() * SPREAD_DAYS))
    recurring = draw() < request.recurring_share
    if not recurring and draw() < 0.03:
        start = EventTime(day, None, None)
        end = EventTime(day + timedelta(days=1), None, None)
    else:
        wall = datetime.combine(day, time(8 + int(draw() * 10), _pick(draw, (0, 15, 30))))
        wall = wall.replace(tzinfo=calendar.zone)
        length = timedelta(minutes=_pick(draw, (15, 30, 45, 60, 90)))
        start = EventTime(None, wall, calendar.time_zone)
        end = EventTime(None, wall + length, calendar.time_zone)
    fields: dict[str, Any] = {"summary": f"{_pick(draw, TEAMS)} {_pick(draw, TOPICS)}"}
    organizer: dict[str, Any] = {"email": calendar.id, "self": True}
    creator: dict[str, Any] = {"email": account.email, "self": True}
    if draw() < 0.2:
        organizer = {"email": f"{_pick(draw, PEOPLE)}@partner.example.com"}
        creator = dict(organizer)
    attendees = _attendees(calendar, organizer, draw)
    if attendees:
        fields["attendees"] = attendees
    if draw() < request.meeting_link_share:
        _add_meeting_link(fields, f"{calendar.id}/{event_id}", draw)
        counts["with_meeting_links"] += 1
    zone = calendar.zone
    event = StoredEvent(
        id=event_id,
        calendar_id=calendar.id,
        status="confirmed",
        start=start,
        end=end,
        start_ts=start.instant(zone).timestamp(),
        end_ts=end.instant(zone).timestamp(),
        fields=fields,
        organizer=organizer,
        creator=creator,
        ical_uid=f"{event_id}@google.com",
        created=now,
        updated=now,
    )
    if recurring:
        event.recurrence = (f"RRULE:FREQ=WEEKLY;COUNT={4 + int(draw() * 9)}",)
        counts["recurring"] += 1
    counts["events"] += 1
    return event


def _attendees(
    calendar: Calendar, organizer: dict[str, Any], draw: Callable[[], float]
) -> list[dict[str, Any]]:
    count = int(draw() * 5)
    if count == 0 and organizer.get("self"):
        return []
    first = int(draw() * len(PEOPLE))
    guests = [f"{PEOPLE[(first + i) % len(PEOPLE)]}@example.com" for i in range(count)]
    emails = [organizer["email"], *guests]
    if calendar.id not in emails:
        emails.append(calendar.id)
    result = []
    for email in emails:
        attendee: dict[str, Any] = {"email": email, "responseStatus": "needsAction"}
        if email == organizer["email"]:
            attendee["organizer"] = True
            attendee["responseStatus"] = "accepted"
        elif draw() < 0.6:
            attendee["responseStatus"] = _pick(draw, ("accepted", "declined", "tentative"))
        if email == calendar.id:
            attendee["self"] = True
        result.append(attendee)
    return result


def _add_meeting_link(fields: dict[str, Any], basis: str, draw: Callable[[], float]) -> None:
    kind = draw()
    meeting_id = str(10**10 + int(draw() * 9 * 10**10))
    passcode = str(100000 + int(draw() * 900000))
    if kind < 0.5:
        data = conference.meet_conference(basis)
        fields["conferenceData"] = data
        fields["hangoutLink"] = conference.meet_link(data)
    elif kind < 0.7:
        fields["conferenceData"] = conference.zoom_conference(meeting_id, passcode)
    elif kind < 0.85:
        fields["location"] = f"https://us02web.zoom.us/j/{meeting_id}?pwd={passcode}xYz.1"
    else:
        link = f"https://teams.microsoft.com/meet/{meeting_id}{passcode[:3]}?p={passcode}Ab"
        fields["description"] = f"Microsoft Teams meeting\nJoin: {link}\nMeeting ID: {meeting_id}"


def _pick(draw: Callable[[], float], choices: tuple[T, ...]) -> T:
    return choices[int(draw() * len(choices))]


def _unique_id(calendar: Calendar, basis: str) -> str:
    """26 base32hex characters, like Google's generated event ids, derived from `basis`."""
    for attempt in itertools.count():
        digest = hashlib.sha256(f"{calendar.id}/{basis}/{attempt}".encode()).digest()
        event_id = base64.b32hexencode(digest[:16]).decode().lower()[:26]
        if event_id not in calendar.events:
            return event_id
    raise AssertionError("unreachable")
