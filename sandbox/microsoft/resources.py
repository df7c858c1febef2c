"""Graph resources as JSON: events (single instances, series masters, occurrences, exceptions,
full or sparse), `@removed` entries, calendars and the user (providers.md §2.2-2.4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox.microsoft import identifiers, recurrence, times
from sandbox.microsoft.store import Calendar, StoredEvent
from sandbox.world import Account

EVENT_TYPE = "#microsoft.graph.event"
NEVER = "0001-01-01T00:00:00Z"
GRAPH = "https://graph.microsoft.com/v1.0"


def event_json(event: StoredEvent, zone_name: str) -> dict[str, Any]:
    """A stored event (single instance, series master or exception), start/end in `zone_name`."""
    fields = event.fields
    body = fields.get("body") or {"contentType": "html", "content": ""}
    return {
        "@odata.etag": etag(event),
        "id": event.id,
        "createdDateTime": times.utc_stamp(event.created),
        "lastModifiedDateTime": times.utc_stamp(event.modified),
        "changeKey": event.change_key,
        "categories": list(fields.get("categories", [])),
        "transactionId": fields.get("transactionId"),
        "originalStartTimeZone": times.windows_name(event.start_zone),
        "originalEndTimeZone": times.windows_name(event.end_zone),
        "iCalUId": event.ical_uid,
        "reminderMinutesBeforeStart": fields.get("reminderMinutesBeforeStart", 15),
        "isReminderOn": fields.get("isReminderOn", True),
        "hasAttachments": False,
        "subject": fields.get("subject", ""),
        "bodyPreview": _preview(str(body.get("content", ""))),
        "importance": fields.get("importance", "normal"),
        "sensitivity": fields.get("sensitivity", "normal"),
        "isAllDay": event.all_day,
        "isCancelled": event.is_cancelled,
        "isOrganizer": event.is_organizer,
        "responseRequested": fields.get("responseRequested", True),
        "seriesMasterId": event.series_master_id,
        "showAs": fields.get("showAs", "busy"),
        "type": event.kind,
        "webLink": web_link(event.id),
        "onlineMeetingUrl": None,
        "isOnlineMeeting": event.online_meeting is not None,
        "onlineMeetingProvider": fields.get("onlineMeetingProvider", "unknown"),
        "allowNewTimeProposals": fields.get("allowNewTimeProposals", True),
        "isDraft": False,
        "hideAttendees": fields.get("hideAttendees", False),
        "responseStatus": {"response": event.response, "time": NEVER},
        "body": body,
        "start": _time(event, event.start, zone_name),
        "end": _time(event, event.end, zone_name),
        "location": fields.get("location") or _empty_location(),
        "locations": list(fields.get("locations", [])),
        "recurrence": recurrence.render(event.recurrence) if event.recurrence else None,
        "attendees": list(fields.get("attendees", [])),
        "organizer": event.organizer,
        "onlineMeeting": event.online_meeting,
        **_original_start(event.original_start),
    }


def occurrence_json(master: StoredEvent, original: datetime, zone_name: str) -> dict[str, Any]:
    """A generated occurrence with the master's properties (what `calendarView` returns)."""
    row = event_json(master, zone_name)
    start, end = occurrence_times(master, original)
    row.update(
        {
            "id": identifiers.occurrence_id(master.id, original),
            "iCalUId": identifiers.ical_uid(master.key_hex, original),
            "type": "occurrence",
            "seriesMasterId": master.id,
            "start": _time(master, start, zone_name),
            "end": _time(master, end, zone_name),
            "recurrence": None,
            "webLink": web_link(identifiers.occurrence_id(master.id, original)),
            **_original_start(original),
        }
    )
    return row


def sparse_occurrence_json(
    master: StoredEvent, original: datetime, zone_name: str
) -> dict[str, Any]:
    """An occurrence as calendarView delta returns it: ids and times only (providers.md §2.3)."""
    start, end = occurrence_times(master, original)
    return {
        "@odata.type": EVENT_TYPE,
        "@odata.etag": etag(master),
        "id": identifiers.occurrence_id(master.id, original),
        "type": "occurrence",
        "seriesMasterId": master.id,
        "start": _time(master, start, zone_name),
        "end": _time(master, end, zone_name),
    }


def removed_json(key: str) -> dict[str, Any]:
    return {"@odata.type": EVENT_TYPE, "id": key, "@removed": {"reason": "deleted"}}


def occurrence_times(master: StoredEvent, original: datetime) -> tuple[datetime, datetime]:
    return original, original + (master.end - master.start)


def calendar_json(calendar: Calendar) -> dict[str, Any]:
    return {
        "id": calendar.id,
        "name": calendar.name,
        "color": calendar.color,
        "hexColor": calendar.hex_color,
        "isDefaultCalendar": calendar.is_default,
        "changeKey": calendar.change_key,
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True,
        "isRemovable": not calendar.is_default,
        "owner": calendar.owner,
    }


def user_json(account: Account) -> dict[str, Any]:
    local = account.email.split("@", 1)[0]
    name = display_name(account.email)
    return {
        "@odata.context": f"{GRAPH}/$metadata#users/$entity",
        "businessPhones": [],
        "displayName": name,
        "givenName": name.split(" ", 1)[0],
        "jobTitle": None,
        "mail": account.email,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": name.split(" ", 1)[-1] if " " in name else None,
        "userPrincipalName": account.email,
        "id": identifiers.user_object_id(account.email),
        "mailNickname": local,
    }


def display_name(email: str) -> str:
    """`ada.lovelace@x` → `Ada Lovelace`."""
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


def email_address(email: str) -> dict[str, Any]:
    return {"emailAddress": {"name": display_name(email), "address": email}}


def etag(event: StoredEvent) -> str:
    return f'W/"{event.change_key}"'


def web_link(event_id: str) -> str:
    return (
        f"https://outlook.office365.com/owa/?itemid={quote(event_id, safe='')}"
        "&exvsurl=1&path=/calendar/item"
    )


def select(row: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """`$select`: the named properties, plus the etag and id Graph always returns."""
    if not fields:
        return row
    wanted = {"@odata.etag", "@odata.type", "id", "@removed", *fields}
    return {k: v for k, v in row.items() if k in wanted}


def _time(event: StoredEvent, moment: datetime, zone_name: str) -> dict[str, str]:
    if event.all_day:
        return times.render_all_day(moment.date(), zone_name)
    return times.render(moment, zone_name)


def _original_start(original: datetime | None) -> dict[str, Any]:
    return {} if original is None else {"originalStart": times.offset_stamp(original)}


def _empty_location() -> dict[str, Any]:
    return {"displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": {}}


def _preview(content: str) -> str:
    """Graph's `bodyPreview`: the first 255 characters of the body's text."""
    text, inside = [], False
    for char in content:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            text.append(char)
    return " ".join("".join(text).split())[:255]
