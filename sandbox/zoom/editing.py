"""Use cases of meetings: create, read, update and delete a host's meeting, each change followed by
its webhook event (`meeting.created`, `meeting.updated` with `old_object`, `meeting.deleted`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox.zoom import errors, identifiers, requests, views
from sandbox.zoom.backend import ZoomBackend
from sandbox.zoom.requests import MeetingIn
from sandbox.zoom.store import (
    INSTANT,
    RECURRING_FIXED,
    RECURRING_NO_TIME,
    SCHEDULED,
    Meeting,
    User,
    occurrence_id,
)

DEFAULT_TOPIC = "Zoom Meeting"
DEFAULT_DURATION = 60


def create_meeting(backend: ZoomBackend, user: User, raw: Any) -> dict[str, Any]:
    body = requests.meeting_body(raw)
    with backend.lock:
        meeting = _new_meeting(backend, user, body)
        backend.store.add(meeting)
        answer = views.meeting_json(meeting, identifiers.start_url(meeting.id, backend.rng))
        created = views.webhook_object(meeting)
    publish(backend, user, "meeting.created", {"object": created})
    return answer


def get_meeting(backend: ZoomBackend, user: User, meeting_id: str) -> dict[str, Any]:
    """The full meeting with a fresh start URL (a new ZAK on every read, as at Zoom)."""
    with backend.lock:
        meeting = hosted_meeting(backend, user, meeting_id)
        return views.meeting_json(meeting, identifiers.start_url(meeting.id, backend.rng))


def update_meeting(backend: ZoomBackend, user: User, meeting_id: str, raw: Any) -> None:
    body = requests.meeting_body(raw)
    with backend.lock:
        meeting = hosted_meeting(backend, user, meeting_id)
        before = views.webhook_object(meeting)
        meeting = _updated(backend, meeting, body)  # a copy: a refused update changes nothing
        backend.store.add(meeting)
        after = views.webhook_object(meeting)
    changed = [key for key in after if after.get(key) != before.get(key)]
    changed += [key for key in before if key not in after]
    if not changed:
        return
    keys = {"id": meeting.id, "uuid": meeting.uuid}
    publish(
        backend,
        user,
        "meeting.updated",
        {
            "time_stamp": int(backend.now().timestamp() * 1000),
            "object": keys | {k: after[k] for k in changed if k in after},
            "old_object": keys | {k: before[k] for k in changed if k in before},
        },
    )


def delete_meeting(
    backend: ZoomBackend, user: User, meeting_id: str, occurrence: str | None
) -> None:
    with backend.lock:
        meeting = hosted_meeting(backend, user, meeting_id)
        deleted = views.deleted_object(meeting)
        if occurrence:
            deleted["occurrences"] = [_delete_occurrence(meeting, occurrence)]
        else:
            backend.store.remove(meeting)
    publish(backend, user, "meeting.deleted", {"object": deleted})


def hosted_meeting(backend: ZoomBackend, user: User, meeting_id: str) -> Meeting:
    """The user's meeting; 3001 for an unknown id and for anyone else's meeting."""
    meeting = backend.store.meetings.get(int(meeting_id)) if meeting_id.isdigit() else None
    if meeting is None or meeting.host.account_id != user.account_id:
        raise errors.meeting_not_found(meeting_id)
    return meeting


def publish(backend: ZoomBackend, user: User, event: str, fields: dict[str, Any]) -> None:
    payload = {
        "account_id": user.zoom_account_id,
        "operator": user.email,
        "operator_id": user.id,
        **fields,
    }
    backend.hub.publish(user.account_id, event, payload)


def _new_meeting(backend: ZoomBackend, user: User, body: MeetingIn) -> Meeting:
    rng, now = backend.rng, backend.now()
    meeting_type = body.type or SCHEDULED
    timezone = body.timezone or user.timezone
    start = now
    if body.start_time and meeting_type not in (INSTANT, RECURRING_NO_TIME):
        start = requests.start_time(body.start_time, timezone)
    meeting_id = identifiers.meeting_id(rng)
    while meeting_id in backend.store.meetings:
        meeting_id = identifiers.meeting_id(rng)
    meeting = Meeting(
        id=meeting_id,
        uuid=identifiers.meeting_uuid(rng),
        host=user,
        topic=body.topic if body.topic is not None else DEFAULT_TOPIC,
        type=meeting_type,
        start_time=None if meeting_type == RECURRING_NO_TIME else start,
        duration=body.duration if body.duration is not None else DEFAULT_DURATION,
        timezone=timezone,
        created_at=now,
        password=body.password or identifiers.passcode(rng),
        encrypted_password=identifiers.encrypted_passcode(rng),
        numeric_password=identifiers.numeric_passcode(rng),
        agenda=body.agenda or "",
        settings=dict(body.settings or {}),
    )
    _set_recurrence(meeting, body)
    return meeting


def _updated(backend: ZoomBackend, original: Meeting, body: MeetingIn) -> Meeting:
    meeting = dataclasses.replace(
        original,
        settings=dict(original.settings),
        deleted_occurrences=set(original.deleted_occurrences),
    )
    if body.topic is not None:
        meeting.topic = body.topic
    if body.agenda is not None:
        meeting.agenda = body.agenda
    if body.duration is not None:
        meeting.duration = body.duration
    if body.timezone is not None:
        meeting.timezone = body.timezone
    if body.type is not None:
        meeting.type = body.type
        if body.type == RECURRING_NO_TIME:
            meeting.start_time = None
    if body.start_time is not None and meeting.type != RECURRING_NO_TIME:
        meeting.start_time = requests.start_time(body.start_time, meeting.timezone)
    if meeting.start_time is None and meeting.type != RECURRING_NO_TIME:
        meeting.start_time = backend.now()
    if body.password is not None and body.password != meeting.password:
        meeting.password = body.password
        meeting.encrypted_password = identifiers.encrypted_passcode(backend.rng)
    if body.settings is not None:
        meeting.settings.update(body.settings)
    _set_recurrence(meeting, body)
    return meeting


def _set_recurrence(meeting: Meeting, body: MeetingIn) -> None:
    if body.recurrence is not None:
        meeting.recurrence = requests.recurrence_rule(body.recurrence, meeting.timezone)
        meeting.deleted_occurrences.clear()
    if meeting.type == RECURRING_FIXED and meeting.recurrence is None:
        raise errors.validation_failed("recurrence")


def _delete_occurrence(meeting: Meeting, occurrence: str) -> dict[str, Any]:
    start = next(
        (s for s in meeting.occurrence_starts() if str(occurrence_id(s)) == occurrence), None
    )
    if start is None:
        raise errors.bad_request(f"Invalid occurrence_id: {occurrence}.")
    meeting.deleted_occurrences.add(occurrence_id(start))
    return {
        "occurrence_id": occurrence,
        "start_time": views.zoom_time(start),
        "duration": meeting.duration,
        "status": "deleted",
    }
