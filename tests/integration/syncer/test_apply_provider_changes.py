"""Applying provider pages against real Postgres: stored events, versions, outbox messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from services.syncer import store
from shared.contracts.provider import ProviderChangesFetched, ProviderObject
from shared.ids import derived_id, new_id
from tests.integration.syncer.pages import (
    announced,
    apply,
    calendar_version,
    event_rows,
    google_page,
    ics,
    obj,
    page,
    timed,
)

A = obj("a.ics", ics(timed("a", "20240701T090000Z", "Alpha")))
B = obj("b.ics", ics(timed("b", "20240702T090000Z", "Beta")))
SERIES = obj(
    "s.ics",
    ics(
        timed("s", "20240701T090000Z", "Series", "RRULE:FREQ=DAILY"),
        timed("s", "20240703T100000Z", "Moved", "RECURRENCE-ID:20240703T090000Z"),
    ),
)
SERIES_WITHOUT_OVERRIDE = obj(
    "s.ics", ics(timed("s", "20240701T090000Z", "Series", "RRULE:FREQ=DAILY"))
)
BROKEN = obj("broken.ics", "BEGIN:VCALENDAR\r\nthis is not a calendar\r\n")


async def test_first_page_stores_events_and_announces_each_creation(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    sync = page(cal, (A, B, SERIES))
    await apply(syncer_pool, sync)

    rows = await event_rows(syncer_pool, cal)
    assert [(r.provider_object_id, r.recurrence_key, r.title) for r in rows] == [
        ("a.ics", "", "Alpha"),
        ("b.ics", "", "Beta"),
        ("s.ics", "20240701T090000Z", "Series"),
        ("s.ics", "20240702T090000Z", "Series"),
        ("s.ics", "20240703T090000Z", "Moved"),
    ]
    assert rows[0].id == derived_id("evt", cal, "a.ics", "")
    assert rows[4].id == derived_id("evt", cal, "s.ics", "20240703")
    assert all(r.last_sync_id == sync.sync_id and not r.is_deleted for r in rows)
    messages = await announced(syncer_pool, cal)
    assert [(m.version, m.change) for m in messages] == [(v, "created") for v in range(1, 6)]
    assert [m.event.title for m in messages] == ["Alpha", "Beta", "Series", "Series", "Moved"]
    assert sorted(r.version for r in rows) == [1, 2, 3, 4, 5]
    assert await calendar_version(syncer_pool, cal) == 5


async def test_identical_page_in_a_new_message_announces_nothing(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, SERIES)))
    again = page(cal, (A, SERIES))
    await apply(syncer_pool, again)
    assert len(await announced(syncer_pool, cal)) == 4
    assert await calendar_version(syncer_pool, cal) == 4
    assert {r.last_sync_id for r in await event_rows(syncer_pool, cal)} == {again.sync_id}


async def test_edit_is_announced_as_update_with_changed_fields(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))
    edited = obj("a.ics", ics(timed("a", "20240701T100000Z", "Alpha v2")))
    await apply(syncer_pool, page(cal, (edited, B)))

    update = (await announced(syncer_pool, cal))[-1]
    assert (update.version, update.change) == (3, "updated")
    assert update.changed_fields == ("end_time", "start_time", "title")
    assert update.previous == {
        "end_time": "2024-07-01T10:00:00Z",
        "start_time": "2024-07-01T09:00:00Z",
        "title": "Alpha",
    }
    row = next(r for r in await event_rows(syncer_pool, cal) if r.provider_object_id == "a.ics")
    assert (row.title, row.version) == ("Alpha v2", 3)


async def test_cancellation_is_announced_as_cancelled(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A,)))
    cancelled = obj("a.ics", ics(timed("a", "20240701T090000Z", "Alpha", "STATUS:CANCELLED")))
    await apply(syncer_pool, page(cal, (cancelled,)))
    last = (await announced(syncer_pool, cal))[-1]
    assert (last.change, last.changed_fields, last.event.status) == (
        "cancelled",
        ("status",),
        "cancelled",
    )


async def test_dtstamp_only_change_is_stored_without_announcement(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A,)))
    restamped = obj(
        "a.ics", ics(timed("a", "20240701T090000Z", "Alpha", "DTSTAMP:20240801T000000Z"))
    )
    await apply(syncer_pool, page(cal, (restamped,)))
    assert len(await announced(syncer_pool, cal)) == 1
    raw = await syncer_pool.fetchval(
        "SELECT state->'raw'->>'data' FROM events WHERE calendar_id = $1", cal
    )
    assert "DTSTAMP:20240801T000000Z" in raw
    assert [r.version for r in await event_rows(syncer_pool, cal)] == [1]


async def test_removed_object_deletes_all_its_events(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, SERIES)))
    await apply(syncer_pool, page(cal, removed=("s.ics",)))

    deletions = (await announced(syncer_pool, cal))[4:]
    assert [(m.version, m.change, m.event.title) for m in deletions] == [
        (5, "deleted", "Series"),
        (6, "deleted", "Series"),
        (7, "deleted", "Moved"),
    ]
    assert all(m.event.is_deleted and m.changed_fields == ("is_deleted",) for m in deletions)
    rows = await event_rows(syncer_pool, cal)
    assert [(r.provider_object_id, r.is_deleted) for r in rows] == [
        ("a.ics", False),
        ("s.ics", True),
        ("s.ics", True),
        ("s.ics", True),
    ]
    await apply(syncer_pool, page(cal, removed=("s.ics",)))
    assert len(await announced(syncer_pool, cal)) == 7


async def test_an_override_removed_from_its_object_gives_its_instance_back_to_the_series(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (SERIES,)))
    await apply(syncer_pool, page(cal, (SERIES_WITHOUT_OVERRIDE,)))
    last = (await announced(syncer_pool, cal))[-1]
    assert (last.version, last.change, last.event.is_exception) == (4, "updated", False)
    assert last.changed_fields == ("end_time", "is_exception", "start_time", "title")
    assert last.event.id == derived_id("evt", cal, "s.ics", "20240703")


async def test_reappearing_object_is_created_again_with_the_same_id(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A,)))
    await apply(syncer_pool, page(cal, removed=("a.ics",)))
    await apply(syncer_pool, page(cal, (A,)))
    messages = await announced(syncer_pool, cal)
    assert [m.change for m in messages] == ["created", "deleted", "created"]
    assert len({m.event.id for m in messages}) == 1


async def test_full_sync_final_page_deletes_what_no_page_listed(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B, SERIES)))
    full = "full-" + new_id("sync")
    await apply(syncer_pool, page(cal, (A,), sync_id=full, full=True, final=False, number=0))
    assert len(await announced(syncer_pool, cal)) == 5
    await apply(syncer_pool, page(cal, (SERIES,), sync_id=full, full=True, final=True, number=1))

    deletions = (await announced(syncer_pool, cal))[5:]
    assert [(m.version, m.change, m.event.title) for m in deletions] == [(6, "deleted", "Beta")]
    live = [r.provider_object_id for r in await event_rows(syncer_pool, cal) if not r.is_deleted]
    assert live == ["a.ics", "s.ics", "s.ics", "s.ics"]
    assert await calendar_version(syncer_pool, cal) == 6


async def test_full_sync_keeps_events_that_slid_out_of_the_window(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """The connector lists only objects with events in the window; Alpha, which ended before
    the window's start, is absent because time moved on, not because it was deleted."""
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))

    def listing_of_beta(window_start: datetime) -> ProviderChangesFetched:
        full = page(cal, (B,), full=True, final=True, number=0)
        return full.model_copy(update={"window_start": window_start})

    await apply(syncer_pool, listing_of_beta(datetime(2024, 7, 2, tzinfo=UTC)))
    assert [m.change for m in await announced(syncer_pool, cal)] == ["created", "created"]
    assert not any(r.is_deleted for r in await event_rows(syncer_pool, cal))

    await apply(syncer_pool, listing_of_beta(datetime(2024, 7, 1, 9, 30, tzinfo=UTC)))
    changes = [(m.change, m.event.title) for m in await announced(syncer_pool, cal)]
    assert changes[2:] == [("deleted", "Alpha")]  # Alpha still overlapped that window


async def test_full_sync_keeps_a_series_the_connector_saw_before_the_window(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """A series whose every instance ended before the window is named in `before_window` and
    keeps its instances; an unnamed series' instances still in the window are gone."""
    cal = new_id("cal")
    ended = obj("e.ics", ics(timed("e", "20240601T090000Z", "Ended", "RRULE:FREQ=DAILY;COUNT=3")))
    june = (datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 4, tzinfo=UTC))
    await apply(syncer_pool, page(cal, (ended, SERIES_WITHOUT_OVERRIDE, B), window=june))
    assert len(await announced(syncer_pool, cal)) == 7  # 3 ended, 3 in the series, Beta

    window = (datetime(2024, 7, 2, tzinfo=UTC), datetime(2024, 7, 5, tzinfo=UTC))
    full = page(cal, (B,), full=True, number=0, window=window, before_window=("e.ics",))
    await apply(syncer_pool, full)

    changes = [(m.change, m.event.start_time) for m in await announced(syncer_pool, cal)]
    assert changes[7:] == [
        ("deleted", datetime(2024, 7, 2, 9, tzinfo=UTC)),
        ("deleted", datetime(2024, 7, 3, 9, tzinfo=UTC)),
    ]
    live = [r.provider_object_id for r in await event_rows(syncer_pool, cal) if not r.is_deleted]
    assert live == ["b.ics", "e.ics", "e.ics", "e.ics", "s.ics"]  # 1 July slid out: kept


def _google_instance(event_id: str, start: str, end: str) -> ProviderObject:
    """An instance as `events.list?singleEvents=true` returns it: its own object."""
    resource = {
        "id": event_id,
        "status": "confirmed",
        "summary": "Weekly standup",
        "start": {"dateTime": start},
        "end": {"dateTime": end},
        "recurringEventId": "weekly",
        "originalStartTime": {"dateTime": start},
        "iCalUID": "weekly@google.com",
    }
    return ProviderObject(
        provider_object_id=event_id, etag=None, format="google", data=json.dumps(resource)
    )


async def test_a_google_relisting_keeps_instances_that_ended_before_the_window(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """After a 410 Google lists again from `timeMin`: earlier instances are not in the listing
    (nor seen by the connector), yet still exist."""
    cal = new_id("cal")
    past = _google_instance(
        "weekly_20240624T090000Z", "2024-06-24T09:00:00Z", "2024-06-24T09:15:00Z"
    )
    next_ = _google_instance(
        "weekly_20240708T090000Z", "2024-07-08T09:00:00Z", "2024-07-08T09:15:00Z"
    )
    gone_ = _google_instance(
        "weekly_20240709T090000Z", "2024-07-09T09:00:00Z", "2024-07-09T09:15:00Z"
    )
    earlier = {"window_start": datetime(2024, 6, 20, tzinfo=UTC)}  # when the past one was in
    await apply(syncer_pool, google_page(cal, (past, next_, gone_)).model_copy(update=earlier))

    relisting = google_page(cal, (next_,), full=True).model_copy(
        update={"window_start": datetime(2024, 7, 1, tzinfo=UTC)}
    )
    await apply(syncer_pool, relisting)

    changes = [(m.change, m.event.provider_event_id) for m in await announced(syncer_pool, cal)]
    assert changes[3:] == [("deleted", "weekly_20240709T090000Z")]
    live = {r.provider_object_id for r in await event_rows(syncer_pool, cal) if not r.is_deleted}
    assert live == {"weekly_20240624T090000Z", "weekly_20240708T090000Z"}


async def test_incremental_final_page_deletes_nothing_unlisted(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))
    await apply(syncer_pool, page(cal, (A,), final=True))
    assert [m.change for m in await announced(syncer_pool, cal)] == ["created", "created"]


async def test_malformed_object_is_recorded_and_the_rest_still_syncs(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, BROKEN, B)))
    assert [r.provider_object_id for r in await event_rows(syncer_pool, cal)] == ["a.ics", "b.ics"]
    async with syncer_pool.acquire() as conn:
        issues = await store.list_sync_issues(conn, cal)
    assert [i.provider_object_id for i in issues] == ["broken.ics"]
    assert "unparsable" in issues[0].error

    fixed = obj("broken.ics", ics(timed("c", "20240705T090000Z", "Fixed")))
    await apply(syncer_pool, page(cal, (fixed,)))
    async with syncer_pool.acquire() as conn:
        assert await store.list_sync_issues(conn, cal) == []
    assert [m.event.title for m in await announced(syncer_pool, cal)] == ["Alpha", "Beta", "Fixed"]


async def test_object_turning_malformed_keeps_its_events_through_a_full_sync(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A,)))
    now_broken = obj("a.ics", "BEGIN:VCALENDAR\r\nnope\r\n")
    await apply(syncer_pool, page(cal, (now_broken,), full=True, final=True))
    assert [m.change for m in await announced(syncer_pool, cal)] == ["created"]
    assert [r.is_deleted for r in await event_rows(syncer_pool, cal)] == [False]


async def test_all_day_event_survives_the_store_round_trip_unchanged(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    all_day = obj("d.ics", ics("UID:d|DTSTART;VALUE=DATE:20240701|SUMMARY:Holiday"))
    await apply(syncer_pool, page(cal, (all_day,)))
    await apply(syncer_pool, page(cal, (all_day,)))
    (created,) = await announced(syncer_pool, cal)
    assert (created.event.start_time, created.event.end_time) == (
        date(2024, 7, 1),
        date(2024, 7, 2),
    )
    assert not isinstance(created.event.start_time, datetime)


async def test_object_both_listed_and_removed_counts_as_removed(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))
    await apply(syncer_pool, page(cal, (A,), removed=("a.ics",)))
    assert [m.change for m in await announced(syncer_pool, cal)] == [
        "created",
        "created",
        "deleted",
    ]


async def test_full_sync_reconciles_only_once_every_page_arrived_in_any_order(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B, SERIES)))
    full = "full-" + new_id("sync")
    await apply(syncer_pool, page(cal, (SERIES,), sync_id=full, full=True, final=True, number=1))
    assert len(await announced(syncer_pool, cal)) == 5  # page 0 missing: nothing deleted yet
    await apply(syncer_pool, page(cal, (A,), sync_id=full, full=True, final=False, number=0))
    assert [(m.change, m.event.title) for m in (await announced(syncer_pool, cal))[5:]] == [
        ("deleted", "Beta")
    ]


async def test_a_full_sync_missing_a_page_deletes_nothing(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))
    full = "full-" + new_id("sync")
    await apply(syncer_pool, page(cal, (A,), sync_id=full, full=True, final=False, number=0))
    await apply(syncer_pool, page(cal, (), sync_id=full, full=True, final=True, number=2))
    assert [m.change for m in await announced(syncer_pool, cal)] == ["created", "created"]
