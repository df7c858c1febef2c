"""Deterministic bulk meetings (`POST /_admin/seed`): `events_per_calendar` meetings for the user.

Zoom has no calendars, so `calendars` is ignored, and every meeting has a join link, so
`meeting_link_share` is too; `recurring_share` of the meetings recur weekly (type 8). Everything
derives from (email, seed, meetings the user already hosts) through `random.Random`, except that
times are anchored on the seeding day (meetings spread over the next ~60 days): the same seed on a
fresh account with the same email gives the same meetings. Seeding sends no webhooks (it stands
for meetings that existed before the app was installed).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.world import SeedRequest
from sandbox.zoom import identifiers
from sandbox.zoom.recurrence import WEEKLY, Recurrence
from sandbox.zoom.store import RECURRING_FIXED, SCHEDULED, Meeting, Store, User

SPREAD_DAYS = 60
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Los_Angeles")
TOPICS = ("Standup", "Roadmap", "Customer call", "1:1", "Planning", "Retro", "Demo", "Interview")
TEAMS = ("Platform", "Growth", "Billing", "Mobile", "Data", "Security", "Support", "Sales")


def seed_meetings(store: Store, user: User, request: SeedRequest, now: datetime) -> dict[str, Any]:
    basis = f"zoom/{user.email}/{request.seed}/{len(store.hosted_by(user.account_id))}"
    rng = random.Random(basis)  # noqa: S311 - reproducible test data, not secrets
    recurring = 0
    ids: list[int] = []
    for _ in range(request.events_per_calendar):
        meeting = _meeting(store, user, rng, now, rng.random() < request.recurring_share)
        store.add(meeting)
        ids.append(meeting.id)
        recurring += meeting.type == RECURRING_FIXED
    return {"meetings": len(ids), "recurring": recurring, "first_ids": ids[:10]}


def _meeting(
    store: Store, user: User, rng: random.Random, now: datetime, recurring: bool
) -> Meeting:
    meeting_id = identifiers.meeting_id(rng)
    while meeting_id in store.meetings:
        meeting_id = identifiers.meeting_id(rng)
    day = now.date() + timedelta(days=rng.randrange(SPREAD_DAYS))
    wall = time(8 + rng.randrange(10), rng.choice((0, 15, 30, 45)))
    start = datetime.combine(day, wall, tzinfo=UTC)
    meeting = Meeting(
        id=meeting_id,
        uuid=identifiers.meeting_uuid(rng),
        host=user,
        topic=f"{rng.choice(TEAMS)} {rng.choice(TOPICS)}",
        type=RECURRING_FIXED if recurring else SCHEDULED,
        start_time=start,
        duration=rng.choice((15, 30, 45, 60, 90)),
        timezone=rng.choice(ZONES),
        created_at=now,
        password=identifiers.passcode(rng),
        encrypted_password=identifiers.encrypted_passcode(rng),
        numeric_password=identifiers.numeric_passcode(rng),
    )
    if recurring:
        meeting.recurrence = Recurrence(WEEKLY, 1, end_times=4 + rng.randrange(9))
    return meeting
