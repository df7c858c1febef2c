"""Recurring series against real Postgres: stored as their instances in the window, and edits
to a series announced as the changes they are (never delete-and-create for a retime)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.syncer import issue_store, store
from services.syncer.domain.series_guards import ExpansionLimits
from shared.contracts.provider import ProviderObject
from shared.ids import derived_id, new_id
from tests.integration.syncer.pages import (
    announced,
    announced_issues,
    apply,
    calendar_version,
    event_rows,
    google_page,
    ics,
    obj,
    page,
    timed,
)

# Mondays and Thursdays at 10:00 in Berlin (09:00 UTC in March), from Monday 4 March 2024.
RULE = "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"
WINDOW = (datetime(2024, 3, 4, tzinfo=UTC), datetime(2024, 3, 18, tzinfo=UTC))
DAYS = ("20240304", "20240307", "20240311", "20240314")


def weekly(
    *extra: str,
    summary: str = "Standup",
    at: str = "100000",
    overrides: tuple[str, ...] = (),
) -> ProviderObject:
    master = "|".join(
        [
            "UID:standup",
            f"DTSTART;TZID=Europe/Berlin:20240304T{at}",
            "DURATION:PT15M",
            RULE,
            f"SUMMARY:{summary}",
            *extra,
        ]
    )
    return obj("standup.ics", ics(master, *overrides))


def override(day: str, *lines: str) -> str:
    return "|".join(["UID:standup", f"RECURRENCE-ID;TZID=Europe/Berlin:{day}T100000", *lines])


def instance_id(cal: str, day: str) -> str:
    return derived_id("evt", cal, "standup.ics", day)


async def test_a_series_is_stored_as_its_instances_and_a_resync_announces_nothing(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    rows = await event_rows(syncer_pool, cal)
    assert [r.id for r in rows] == [instance_id(cal, day) for day in DAYS]
    assert [r.recurrence_key for r in rows] == [f"{day}T090000Z" for day in DAYS]
    messages = await announced(syncer_pool, cal)
    assert [(m.change, m.version) for m in messages] == [("created", v) for v in (1, 2, 3, 4)]
    assert {m.event.series_id for m in messages} == {derived_id("ser", cal, "standup")}

    await apply(syncer_pool, page(cal, (weekly("DTSTAMP:20240305T000000Z"),), window=WINDOW))
    assert len(await announced(syncer_pool, cal)) == 4
    assert await calendar_version(syncer_pool, cal) == 4


async def test_a_retimed_series_updates_every_instance_under_its_id(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    await apply(syncer_pool, page(cal, (weekly(at="113000"),), window=WINDOW))

    updates = (await announced(syncer_pool, cal))[4:]
    assert [(m.change, m.event.id) for m in updates] == [
        ("updated", instance_id(cal, day)) for day in DAYS
    ]
    assert {m.changed_fields for m in updates} == {
        ("end_time", "original_start_time", "provider_event_id", "start_time")
    }
    first = updates[0]
    assert first.previous["start_time"] == "2024-03-04T09:00:00Z"
    assert first.event.start_time == datetime(2024, 3, 4, 10, 30, tzinfo=UTC)
    assert not any(r.is_deleted for r in await event_rows(syncer_pool, cal))


async def test_a_renamed_series_updates_only_the_titles(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    await apply(syncer_pool, page(cal, (weekly(summary="Daily standup"),), window=WINDOW))
    updates = (await announced(syncer_pool, cal))[4:]
    assert [(m.change, m.changed_fields, m.previous) for m in updates] == [
        ("updated", ("title",), {"title": "Standup"})
    ] * 4


async def test_a_moved_instance_is_updated_and_removed_ones_are_deleted(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    moved = override(
        "20240307", "DTSTART;TZID=Europe/Berlin:20240308T150000", "DURATION:PT15M", "SUMMARY:Moved"
    )
    cancelled = override(
        "20240311", "DTSTART;TZID=Europe/Berlin:20240311T100000", "STATUS:CANCELLED"
    )
    edited = weekly("EXDATE;TZID=Europe/Berlin:20240314T100000", overrides=(moved, cancelled))
    await apply(syncer_pool, page(cal, (edited,), window=WINDOW))

    changes = [(m.change, m.event.id) for m in (await announced(syncer_pool, cal))[4:]]
    assert changes == [
        ("updated", instance_id(cal, "20240307")),
        ("deleted", instance_id(cal, "20240311")),
        ("deleted", instance_id(cal, "20240314")),
    ]
    rows = {r.id: r for r in await event_rows(syncer_pool, cal)}
    assert rows[instance_id(cal, "20240307")].title == "Moved"
    assert not rows[instance_id(cal, "20240304")].is_deleted


async def test_the_window_moving_keeps_past_instances_and_adds_new_ones(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """Each day the connector lists the calendar again for the moved window: an instance
    before the new start slid out (kept, not deleted), one past the old end is new."""
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    later = (datetime(2024, 3, 6, tzinfo=UTC), datetime(2024, 3, 19, tzinfo=UTC))
    await apply(syncer_pool, page(cal, (weekly(),), window=later))

    changes = [(m.change, m.event.id) for m in (await announced(syncer_pool, cal))[4:]]
    assert changes == [("created", instance_id(cal, "20240318"))]
    live = [r.id for r in await event_rows(syncer_pool, cal) if not r.is_deleted]
    assert instance_id(cal, "20240304") in live


async def test_a_full_relisting_announces_only_real_changes(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    other = obj("one.ics", ics(timed("one", "20240305T120000Z", "Lunch")))
    await apply(syncer_pool, page(cal, (weekly(), other), window=WINDOW))
    await apply(syncer_pool, page(cal, (weekly(), other), full=True, number=0, window=WINDOW))
    assert len(await announced(syncer_pool, cal)) == 5

    edited = weekly(overrides=(override("20240311", "DTSTART;TZID=Europe/Berlin:20240311T120000"),))
    await apply(syncer_pool, page(cal, (edited,), full=True, number=0, window=WINDOW))
    changes = [(m.change, m.event.id) for m in (await announced(syncer_pool, cal))[5:]]
    assert changes == [
        ("updated", instance_id(cal, "20240311")),
        ("deleted", derived_id("evt", cal, "one.ics", "")),
    ]


async def test_a_refused_series_is_a_sync_issue_and_the_rest_still_syncs(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    flood = obj("flood.ics", ics(timed("flood", "20240304T000000Z", "Flood", "RRULE:FREQ=HOURLY")))
    lunch = obj("one.ics", ics(timed("one", "20240305T120000Z", "Lunch")))
    grown = weekly().model_copy(
        update={"data": weekly().data.replace("BYDAY=MO,TH", "BYDAY=MO,TU,WE,TH")}
    )
    limits = ExpansionLimits(max_instances=6)
    await apply(syncer_pool, page(cal, (grown, flood, lunch), window=WINDOW), limits)

    async with syncer_pool.acquire() as conn:
        issues = await store.list_sync_issues(conn, cal)
    assert [(i.provider_object_id, i.reason) for i in issues] == [
        ("flood.ics", "too_many_instances"),
        ("standup.ics", "too_many_instances"),
    ]
    changes = [(m.change, m.event.title) for m in (await announced(syncer_pool, cal))[4:]]
    assert changes == [("created", "Lunch")]
    assert len([r for r in await event_rows(syncer_pool, cal) if r.title == "Standup"]) == 4

    [refused] = await announced_issues(syncer_pool, cal)  # the API's view of them
    assert [(i.provider_object_id, i.reason) for i in refused.issues] == [
        ("flood.ics", "too_many_instances"),
        ("standup.ics", "too_many_instances"),
    ]
    assert refused.total == 2 and all(i.message for i in refused.issues)

    await apply(syncer_pool, page(cal, (grown, flood, lunch), window=WINDOW), limits)
    assert len(await announced_issues(syncer_pool, cal)) == 1  # the same issues: no news

    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW), limits)
    async with syncer_pool.acquire() as conn:
        issues = await store.list_sync_issues(conn, cal)
    assert [i.provider_object_id for i in issues] == ["flood.ics"]
    later = (await announced_issues(syncer_pool, cal))[-1]
    assert later.version > refused.version and later.total == 1

    fixed = obj("flood.ics", ics(timed("flood", "20240304T000000Z", "Flood")))
    await apply(syncer_pool, page(cal, (fixed,), window=WINDOW), limits)
    resolved = (await announced_issues(syncer_pool, cal))[-1]
    assert resolved.version > later.version and resolved.issues == () and resolved.total == 0


async def test_a_series_split_this_and_following_ends_one_series_and_starts_another(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (weekly(),), window=WINDOW))
    trimmed = weekly().model_copy(
        update={"data": weekly().data.replace(RULE, RULE + ";UNTIL=20240310T225959Z")}
    )
    following = obj(
        "standup-2.ics",
        ics(
            "|".join(
                [
                    "UID:standup-2",
                    "DTSTART;TZID=Europe/Berlin:20240311T093000",
                    "DURATION:PT15M",
                    RULE,
                    "SUMMARY:Standup",
                ]
            )
        ),
    )
    await apply(syncer_pool, page(cal, (trimmed, following), window=WINDOW))

    changes = [(m.change, m.event.id) for m in (await announced(syncer_pool, cal))[4:]]
    assert changes == [
        ("deleted", instance_id(cal, "20240311")),
        ("deleted", instance_id(cal, "20240314")),
        ("created", derived_id("evt", cal, "standup-2.ics", "20240311")),
        ("created", derived_id("evt", cal, "standup-2.ics", "20240314")),
    ]


def _google_instance(original: str, start: str) -> ProviderObject:
    """An instance of Google series `weekly` as `singleEvents=true` lists it: its id carries
    its original start, so a retimed series shows every instance under a new id."""
    basic = original.replace("-", "").replace(":", "")[:15]
    resource = {
        "id": f"weekly_{basic}Z",
        "status": "confirmed",
        "summary": "Weekly",
        "start": {"dateTime": start, "timeZone": "UTC"},
        "end": {"dateTime": start, "timeZone": "UTC"},
        "recurringEventId": "weekly",
        "originalStartTime": {"dateTime": original, "timeZone": "UTC"},
        "iCalUID": "weekly@google.com",
    }
    return ProviderObject(
        provider_object_id=str(resource["id"]),
        etag=None,
        format="google",
        data=json.dumps(resource),
    )


async def test_a_retimed_google_series_updates_its_instances_under_their_ids(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    before = [
        _google_instance(f"2024-07-0{d}T09:00:00+00:00", f"2024-07-0{d}T09:00:00+00:00")
        for d in (1, 2)
    ]
    await apply(syncer_pool, google_page(cal, tuple(before)))
    after = [
        _google_instance(f"2024-07-0{d}T10:00:00+00:00", f"2024-07-0{d}T10:00:00+00:00")
        for d in (1, 2)
    ]
    retimed = google_page(cal, tuple(after)).model_copy(
        update={"removed": tuple(o.provider_object_id for o in before)}
    )
    await apply(syncer_pool, retimed)

    messages = await announced(syncer_pool, cal)
    assert [m.change for m in messages] == ["created", "created", "updated", "updated"]
    assert [m.event.id for m in messages[2:]] == [m.event.id for m in messages[:2]]
    rows = await event_rows(syncer_pool, cal)
    assert [(r.provider_object_id, r.is_deleted) for r in rows] == [
        ("weekly_20240701T100000Z", False),
        ("weekly_20240702T100000Z", False),
    ]


async def test_issues_of_objects_a_full_listing_no_longer_lists_are_forgotten(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    flood = obj(
        "flood.ics", ics(timed("flood", "20240304T000000Z", "Flood", "RRULE:FREQ=MINUTELY"))
    )
    lunch = obj("one.ics", ics(timed("one", "20240305T120000Z", "Lunch")))
    await apply(syncer_pool, page(cal, (flood, lunch), window=WINDOW))
    [refused] = await announced_issues(syncer_pool, cal)
    first_seen = refused.issues[0].since

    await apply(syncer_pool, page(cal, (flood, lunch), window=WINDOW))  # fails alike again
    async with syncer_pool.acquire() as conn:
        [again] = await issue_store.current_issues(conn, cal)
    assert again.at == first_seen  # `since` is when it started failing this way

    # The object was deleted at the provider while the cursor was lost: only a full listing
    # (without it) shows it is gone.
    await apply(
        syncer_pool, page(cal, (lunch,), window=WINDOW, full=True, sync_id="syn_full", number=0)
    )
    resolved = (await announced_issues(syncer_pool, cal))[-1]
    assert resolved.issues == () and resolved.total == 0


async def test_an_exdate_on_a_crowded_day_is_one_deletion_and_nothing_else(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """10:00 and 15:00 daily: excluding one 10:00 announces its deletion alone; the 15:00 of
    its day keeps its id (no `updated` of the 10:00's id, no `deleted` of the 15:00's)."""
    cal = new_id("cal")
    start = "DTSTART;TZID=Europe/Berlin:20240305T100000"
    twice = ["UID:twice", start, "DURATION:PT30M", "SUMMARY:Stand-up"]
    twice.append("RRULE:FREQ=DAILY;BYHOUR=10,15;COUNT=4")
    window = (datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 7, tzinfo=UTC))
    await apply(syncer_pool, page(cal, (obj("t.ics", ics("|".join(twice))),), window=window))
    before = await announced(syncer_pool, cal)
    excluded = [*twice, "EXDATE;TZID=Europe/Berlin:20240306T100000"]
    await apply(syncer_pool, page(cal, (obj("t.ics", ics("|".join(excluded))),), window=window))

    changes = (await announced(syncer_pool, cal))[len(before) :]
    ten = derived_id("evt", cal, "t.ics", "20240306")
    assert [(c.change, c.event.id) for c in changes] == [("deleted", ten)]
    live = {r.id for r in await event_rows(syncer_pool, cal) if not r.is_deleted}
    assert live == {m.event.id for m in before} - {ten}
