"""Deterministic bulk data (`POST /_admin/seed`): Outlook calendars full of plausible meetings.

Ids derive from (account email, seed, calendar and event position), so the same seed on a fresh
account with the same email gives the same ids; everything else from `random.Random(seed)`, with
times anchored on the seeding day (events spread over the next ~60 days). The first calendar is
the default one. A share of events are weekly series (numbered ranges), a share Teams meetings;
some are organized by someone else (with this user's response), a few are cancelled attendee
copies (`isCancelled`, subject `Canceled: …`). Seeding sends no change notifications.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sandbox.microsoft import calendars, editing, identifiers, recurrence, resources, times
from sandbox.microsoft.store import Calendar, Store, StoredEvent
from sandbox.world import Account, SeedRequest

SPREAD_DAYS = 60
ZONES = ("W. Europe Standard Time", "Eastern Standard Time", "Tokyo Standard Time", "UTC")
TOPICS = ("Roadmap", "Standup", "Design review", "1:1", "Planning", "Retro", "Sync", "Demo")
TEAMS = ("Platform", "Growth", "Billing", "Mobile", "Data", "Security", "Support", "Sales")
PEOPLE = ("ada", "grace", "alan", "edsger", "barbara", "donald", "frances", "ken", "radia")
RESPONSES = ("accepted", "tentativelyAccepted", "declined", "notResponded", "none")
COLORS = ("lightBlue", "lightGreen", "lightOrange", "lightGray", "lightYellow", "lightTeal")
T = TypeVar("T")


def seed_account(
    store: Store, account: Account, request: SeedRequest, now: datetime
) -> dict[str, Any]:
    """Add the requested calendars and events; returns the summary the admin API answers."""
    rng = random.Random(request.seed)  # noqa: S311 - reproducible test data, not secrets
    calendars = _calendars(store, account, request, rng)
    counts = {"events": 0, "recurring": 0, "with_meeting_links": 0}
    mailbox = editing.Mailbox(account.email, now)
    for calendar in calendars:
        for _ in range(request.events_per_calendar):
            basis = f"{account.email}/{request.seed}/{calendar.id}/{len(calendar.created)}"
            event = _event(calendar, mailbox, request, rng.random, basis, counts)
            store.save(calendar, event)
    return {"calendars": [c.id for c in calendars], **counts}


def _calendars(
    store: Store, account: Account, request: SeedRequest, rng: random.Random
) -> list[Calendar]:
    existing = store.account_calendars(account.id)
    chosen = [c for c in existing if c.is_default]
    for index in range(1, request.calendars):
        basis = f"{request.seed}/{len(existing)}/{index}"
        calendar = calendars.new_calendar(
            account, f"{rng.choice(TEAMS)} team", default=False, basis=basis
        )
        calendar.color = rng.choice(COLORS)
        store.add_calendar(calendar)
        chosen.append(calendar)
    return chosen[: request.calendars]


def _event(
    calendar: Calendar,
    mailbox: editing.Mailbox,
    request: SeedRequest,
    draw: Callable[[], float],
    basis: str,
    counts: dict[str, int],
) -> StoredEvent:
    day = mailbox.now.date() + timedelta(days=int(draw() * SPREAD_DAYS))
    zone_name = _pick(draw, ZONES)
    recurring = draw() < request.recurring_share
    body: dict[str, Any] = {"subject": f"{_pick(draw, TEAMS)} {_pick(draw, TOPICS)}"}
    if not recurring and draw() < 0.03:
        body |= _times(datetime.combine(day, time()), timedelta(days=1), zone_name, all_day=True)
    else:
        wall = datetime.combine(day, time(8 + int(draw() * 10), _pick(draw, (0, 15, 30))))
        length = timedelta(minutes=_pick(draw, (15, 30, 45, 60, 90)))
        body |= _times(wall, length, zone_name, all_day=False)
    attendees = [f"{_pick(draw, PEOPLE)}@example.com" for _ in range(int(draw() * 4))]
    body["attendees"] = [{"emailAddress": {"address": a}} for a in dict.fromkeys(attendees)]
    online = draw() < request.meeting_link_share
    body["isOnlineMeeting"] = online
    event = editing.new_event(mailbox, calendar.id, body, basis)
    _set_responses(event, draw)
    if recurring:
        _make_weekly(event, day, zone_name, 4 + int(draw() * 9))
        counts["recurring"] += 1
    if draw() < 0.2:
        _organized_elsewhere(event, draw)
    counts["events"] += 1
    counts["with_meeting_links"] += online
    return event


def _times(wall: datetime, length: timedelta, zone_name: str, *, all_day: bool) -> dict[str, Any]:
    def value(moment: datetime) -> dict[str, str]:
        return {"dateTime": times.seven_digits(moment), "timeZone": zone_name}

    return {"start": value(wall), "end": value(wall + length), "isAllDay": all_day}


def _make_weekly(event: StoredEvent, day: date, zone_name: str, count: int) -> None:
    weekday = recurrence.DAYS[day.weekday()]
    pattern = {"type": "weekly", "interval": 1, "daysOfWeek": [weekday]}
    span = {"type": "numbered", "startDate": day.isoformat(), "numberOfOccurrences": count}
    value = {"pattern": pattern, "range": span}
    event.recurrence = recurrence.parse(value, event.start, zone_name)
    event.kind = "seriesMaster"


def _set_responses(event: StoredEvent, draw: Callable[[], float]) -> None:
    for attendee in event.fields.get("attendees", []):
        attendee["status"] = {"response": _pick(draw, RESPONSES), "time": resources.NEVER}


def _organized_elsewhere(event: StoredEvent, draw: Callable[[], float]) -> None:
    organizer = f"{_pick(draw, PEOPLE)}@partner.example.com"
    event.organizer = resources.email_address(organizer)
    event.is_organizer = False
    event.response = _pick(draw, ("accepted", "tentativelyAccepted", "notResponded"))
    if event.kind == "singleInstance" and draw() < 0.1:
        event.is_cancelled = True
        event.fields["subject"] = "Canceled: " + str(event.fields.get("subject", ""))
    event.ical_uid = identifiers.ical_uid(event.key_hex)


def _pick(draw: Callable[[], float], choices: tuple[T, ...]) -> T:
    return choices[int(draw() * len(choices))]
