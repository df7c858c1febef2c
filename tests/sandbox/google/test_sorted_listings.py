"""Kept `orderBy=startTime` listings are capped by their total number of items (memory), not
only by their count; the most recently used one always stays, so its pages stay cheap."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.google.listing import Item
from sandbox.google.sorted_listings import SORTED_ITEMS_KEPT, Sorted, SortedListings
from sandbox.google.store import StoredEvent
from sandbox.google.times import EventTime
from tests.sandbox.google.conftest import Sandbox, insert, list_all, timed

MOMENT = datetime(2030, 1, 1, tzinfo=UTC)
EVENT = StoredEvent(
    id="e",
    calendar_id="c",
    status="confirmed",
    start=EventTime(None, MOMENT, None),
    end=EventTime(None, MOMENT, None),
    start_ts=0.0,
    end_ts=0.0,
    fields={},
    organizer={},
    creator={},
    ical_uid="e@google.com",
    created=MOMENT,
    updated=MOMENT,
)


def listing_of(size: int) -> Sorted:
    item = Item(EVENT)
    return [(0.0, "e")] * size, [item] * size


def test_the_cache_is_capped_by_total_items() -> None:
    kept = SortedListings()
    assert SORTED_ITEMS_KEPT == 200_000
    kept.put(("a", 1, "x"), listing_of(120_000))
    kept.put(("b", 1, "x"), listing_of(60_000))
    assert kept.item_count == 180_000 and len(kept) == 2
    assert kept.get(("a", 1, "x")) is not None  # now the most recently used
    kept.put(("c", 1, "x"), listing_of(50_000))
    assert kept.get(("b", 1, "x")) is None  # the least recently used went first
    assert kept.item_count == 170_000
    kept.put(("d", 1, "x"), listing_of(300_000))  # alone over the cap: kept, alone
    assert len(kept) == 1 and kept.item_count == 300_000
    assert kept.get(("d", 1, "x")) is not None


def test_the_cache_is_capped_by_count_too() -> None:
    kept = SortedListings(max_listings=3)
    for number in range(5):
        kept.put(("cal", number, "x"), listing_of(10))
    assert len(kept) == 3 and kept.item_count == 30
    kept.put(("cal", 4, "x"), listing_of(5))  # replacing one counts its items once
    assert len(kept) == 3 and kept.item_count == 25


async def test_sorted_pages_survive_eviction(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    for day in (12, 9, 10, 8, 11):
        await insert(
            sandbox, headers, timed(f"2030-01-{day:02d}T10:00:00Z", f"2030-01-{day:02d}T11:00:00Z")
        )
    sandbox.backend.sorted_listings = SortedListings(max_items=1)
    params = {"singleEvents": "true", "orderBy": "startTime", "maxResults": 2}
    items, pages = await list_all(sandbox, headers, **params)
    assert len(pages) == 3
    starts = [i["start"]["dateTime"][:10] for i in items]
    assert starts == [f"2030-01-{day:02d}" for day in range(8, 13)]
