"""Zoom's JSON shapes of users and meetings: the list item, the full meeting (host only, with the
secret `start_url`), and the `object` of meeting webhooks (providers.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.zoom import identifiers
from sandbox.zoom.store import RECURRING_FIXED, RECURRING_NO_TIME, Meeting, User, occurrence_id

DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "waiting_room": True,
    "approval_type": 2,
    "audio": "voip",
    "auto_recording": "none",
    "meeting_authentication": False,
    "use_pmi": False,
}


def zoom_time(instant: datetime) -> str:
    """`2030-01-08T10:00:00Z`: Zoom answers in UTC, to the second."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_json(user: User) -> dict[str, Any]:
    local, _, domain = user.email.partition("@")
    first = local.split(".")[0].capitalize()
    return {
        "id": user.id,
        "first_name": first,
        "last_name": domain.split(".")[0].capitalize(),
        "display_name": f"{first} {domain.split('.')[0].capitalize()}",
        "email": user.email,
        "type": 2,
        "role_name": "Owner",
        "pmi": user.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"{identifiers.WEB_HOST}/j/{user.pmi}",
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": zoom_time(user.created_at),
        "last_login_time": zoom_time(user.created_at),
        "pic_url": "",
        "language": "en-US",
        "phone_number": "",
        "status": "active",
        "role_id": "0",
        "account_id": user.zoom_account_id,
        "account_number": 10_000_000 + user.pmi % 90_000_000,
        "cluster": "us05",
        "user_created_at": zoom_time(user.created_at),
    }


def list_item(meeting: Meeting, start: datetime | None) -> dict[str, Any]:
    """One entry of `GET /users/me/meetings`: no passcode, never the start URL. `start` is the
    next occurrence's for a recurring meeting."""
    item: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host.id,
        "topic": meeting.topic,
        "type": meeting.type,
    }
    if start is not None and meeting.type != RECURRING_NO_TIME:
        item["start_time"] = zoom_time(start)
    item["duration"] = meeting.duration
    item["timezone"] = meeting.timezone
    if meeting.agenda:
        item["agenda"] = meeting.agenda
    item["created_at"] = zoom_time(meeting.created_at)
    item["join_url"] = join_url(meeting)
    return item


def meeting_json(meeting: Meeting, start_url: str) -> dict[str, Any]:
    """`GET /meetings/{id}` and the create answer: everything, the host's start URL included."""
    body = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host.id,
        "host_email": meeting.host.email,
        "topic": meeting.topic,
        "type": meeting.type,
        "status": "waiting",
        **_schedule(meeting),
        "agenda": meeting.agenda,
        "created_at": zoom_time(meeting.created_at),
        "start_url": start_url,
        "join_url": join_url(meeting),
        "password": meeting.password,
        "h323_password": meeting.numeric_password,
        "pstn_password": meeting.numeric_password,
        "encrypted_password": meeting.encrypted_password,
        "settings": settings_json(meeting),
        "pre_schedule": False,
    }
    body.update(_recurring(meeting))
    return body


def webhook_object(meeting: Meeting) -> dict[str, Any]:
    """The `payload.object` of `meeting.created` (and the whole meeting before a change)."""
    body = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host.id,
        "topic": meeting.topic,
        "type": meeting.type,
        **_schedule(meeting),
        "join_url": join_url(meeting),
        "password": meeting.password,
        "settings": settings_json(meeting),
    }
    body.update(_recurring(meeting))
    return body


def deleted_object(meeting: Meeting) -> dict[str, Any]:
    body = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host.id,
        "topic": meeting.topic,
        "type": meeting.type,
        **_schedule(meeting),
    }
    return body


def join_url(meeting: Meeting) -> str:
    return identifiers.join_url(meeting.id, meeting.encrypted_password)


def settings_json(meeting: Meeting) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **meeting.settings}


def occurrences_json(meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {
            "occurrence_id": str(occurrence_id(start)),
            "start_time": zoom_time(start),
            "duration": meeting.duration,
            "status": "available",
        }
        for start in meeting.occurrence_starts()
    ]


def _schedule(meeting: Meeting) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if meeting.start_time is not None and meeting.type != RECURRING_NO_TIME:
        body["start_time"] = zoom_time(meeting.start_time)
    body["duration"] = meeting.duration
    body["timezone"] = meeting.timezone
    return body


def _recurring(meeting: Meeting) -> dict[str, Any]:
    if meeting.type != RECURRING_FIXED or meeting.recurrence is None:
        return {}
    return {
        "occurrences": occurrences_json(meeting),
        "recurrence": meeting.recurrence.as_json(),
    }
