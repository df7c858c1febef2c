"""Reading meeting create and update bodies as Zoom does: its field names and limits, with every
refusal a 400 `Validation Failed.` naming the field
(https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError

from sandbox.zoom import errors, recurrence
from sandbox.zoom.recurrence import Recurrence
from sandbox.zoom.store import MEETING_TYPES

PASSCODE = re.compile(r"^[A-Za-z0-9@_*-]{1,10}$")
MAX_TOPIC = 200
MAX_AGENDA = 2000
# Zoom's largest repeat_interval per recurrence type: 90 days, 12 weeks, 3 months.
MAX_INTERVAL = {recurrence.DAILY: 90, recurrence.WEEKLY: 12, recurrence.MONTHLY: 3}


class RecurrenceIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: int
    repeat_interval: int = 1
    weekly_days: str | None = None
    monthly_day: int | None = None
    end_times: int | None = None
    end_date_time: str | None = None


class MeetingIn(BaseModel):
    """Every field optional: create fills Zoom's defaults, update changes what is given."""

    model_config = ConfigDict(extra="ignore")
    topic: str | None = None
    type: int | None = None
    start_time: str | None = None
    duration: int | None = None
    timezone: str | None = None
    password: str | None = None
    agenda: str | None = None
    settings: dict[str, Any] | None = None
    recurrence: RecurrenceIn | None = None


def meeting_body(raw: Any) -> MeetingIn:
    try:
        body = MeetingIn.model_validate(raw)
    except ValidationError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"]) or "body"
        raise errors.validation_failed(where) from None
    if body.type is not None and body.type not in MEETING_TYPES:
        raise errors.validation_failed("type")
    if body.topic is not None and len(body.topic) > MAX_TOPIC:
        raise errors.validation_failed("topic")
    if body.agenda is not None and len(body.agenda) > MAX_AGENDA:
        raise errors.validation_failed("agenda")
    if body.duration is not None and body.duration < 0:
        raise errors.validation_failed("duration")
    if body.password is not None and not PASSCODE.match(body.password):
        raise errors.validation_failed(
            "password", "Passcode can only contain alphanumeric characters, @ - _ * and up to 10."
        )
    if body.timezone is not None:
        zone(body.timezone)
    return body


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.validation_failed("timezone") from None


def start_time(text: str, timezone: str, field: str = "start_time") -> datetime:
    """`2030-01-08T10:00:00Z` is UTC; without the `Z` it is wall time in `timezone`."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise errors.validation_failed(field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(timezone))
    return parsed.astimezone(UTC)


def recurrence_rule(body: RecurrenceIn, timezone: str) -> Recurrence:
    if body.type not in MAX_INTERVAL:
        raise errors.validation_failed("recurrence.type")
    if not 1 <= body.repeat_interval <= MAX_INTERVAL[body.type]:
        raise errors.validation_failed("recurrence.repeat_interval")
    days: tuple[int, ...] = ()
    if body.weekly_days:
        parts = body.weekly_days.split(",")
        if not all(p.strip().isdigit() and 1 <= int(p) <= 7 for p in parts):
            raise errors.validation_failed("recurrence.weekly_days")
        days = tuple(sorted({int(p) for p in parts}))
    if body.monthly_day is not None and not 1 <= body.monthly_day <= 31:
        raise errors.validation_failed("recurrence.monthly_day")
    if body.end_times is not None and not 1 <= body.end_times <= recurrence.MAX_OCCURRENCES:
        raise errors.validation_failed("recurrence.end_times")
    end = None
    if body.end_date_time is not None:
        end = start_time(body.end_date_time, timezone, "recurrence.end_date_time")
    return Recurrence(body.type, body.repeat_interval, days, body.monthly_day, body.end_times, end)
