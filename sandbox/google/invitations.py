"""Invitations between sandbox accounts: an organizer's event is copied, with the same id and
iCalUID, into the primary calendar of every attendee who is a sandbox account (as Google does
within one domain), and each copy follows the organizer's event.

Only the organizer's calendar is ever written by a client; `write` records the change there and
then brings each invited calendar's copy in line, so every change costs O(attendees).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sandbox.google.store import Calendar, Store, StoredEvent


def is_organizers(event: StoredEvent, calendar: Calendar) -> bool:
    """Whether `calendar` holds the organizer's own event (not an invited copy)."""
    return str(event.organizer.get("email", "")).lower() == calendar.id.lower()


def write(store: Store, calendar: Calendar, event: StoredEvent, now: datetime) -> list[Calendar]:
    """Record `event` (new, changed or cancelled) in the organizer's `calendar`, then in every
    invited calendar; returns every calendar that changed."""
    previous = calendar.events.get(event.id)
    if previous is None and event.recurring_event_id is not None:
        previous = calendar.events.get(event.recurring_event_id)  # a new exception
    store.touch(calendar, event, now)
    if not is_organizers(event, calendar):
        return [calendar]
    changed = [calendar]
    invited = _invited(store, calendar, event)
    for guest in invited:
        if _accepts_copy(guest, event):
            store.touch(guest, copy_for(event, guest), now)
            changed.append(guest)
    for guest in _invited(store, calendar, previous) if previous is not None else []:
        if guest not in invited and _holds_live_copy(guest, event):
            store.touch(guest, dataclasses.replace(copy_for(event, guest), status="cancelled"), now)
            changed.append(guest)
    return changed


def copy_for(event: StoredEvent, guest: Calendar) -> StoredEvent:
    """The organizer's event as it appears in an invited calendar: no `self` on the organizer,
    `self` on the guest's own attendee entry."""
    fields = dict(event.fields)
    if "attendees" in fields:
        fields["attendees"] = [_flag_self(a, guest.id) for a in fields["attendees"]]
    zone = guest.zone
    return dataclasses.replace(
        event,
        calendar_id=guest.id,
        fields=fields,
        organizer=_without_self(event.organizer),
        creator=_without_self(event.creator),
        start_ts=event.start.instant(zone).timestamp(),
        end_ts=event.end.instant(zone).timestamp(),
        dropped=dict(event.dropped),
        rendered=None,
        search_text=None,
        expansion=None,
    )


def _invited(store: Store, organizer: Calendar, event: StoredEvent) -> list[Calendar]:
    """The primary calendars of the event's attendees that are sandbox accounts."""
    found: list[Calendar] = []
    for attendee in event.fields.get("attendees", ()):
        email = str(attendee.get("email", ""))
        guest = store.calendars.get(email) or store.calendars.get(email.lower())
        if guest is not None and guest.primary and guest is not organizer and guest not in found:
            found.append(guest)
    return found


def _accepts_copy(guest: Calendar, event: StoredEvent) -> bool:
    """A cancellation only reaches calendars that hold the event; a guest's own event with a
    colliding id is never overwritten."""
    key = event.id if event.id in guest.events else event.recurring_event_id
    held = guest.events.get(key) if key is not None else None
    if held is None:
        return not event.cancelled
    return held.organizer.get("email") == event.organizer.get("email")


def _holds_live_copy(guest: Calendar, event: StoredEvent) -> bool:
    held = guest.events.get(event.id)
    if held is None and event.recurring_event_id is not None:
        held = guest.events.get(event.recurring_event_id)  # an instance of the guest's copy
    return (
        held is not None
        and not held.cancelled
        and held.organizer.get("email") == event.organizer.get("email")
        and not is_organizers(held, guest)
    )


def _flag_self(attendee: dict[str, Any], email: str) -> dict[str, Any]:
    flagged = {k: v for k, v in attendee.items() if k != "self"}
    if str(attendee.get("email", "")).lower() == email.lower():
        flagged["self"] = True
    return flagged


def _without_self(person: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person.items() if k != "self"}
