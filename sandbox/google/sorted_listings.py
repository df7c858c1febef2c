"""`orderBy=startTime` listings: every match sorted once per listing, then kept (bounded by the
total number of items across kept listings) so its next pages are a bisect away.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from datetime import datetime

from sandbox.google import listing
from sandbox.google.listing import EventFilter, Item, Page
from sandbox.google.store import Calendar

# At most this many sorted listings are kept, holding at most this many items between them; the
# most recently used listing is always kept, whatever its size, so its pages stay O(page).
SORTED_LISTINGS_KEPT = 16
SORTED_ITEMS_KEPT = 200_000

Key = tuple[str, int, str]  # (calendar id, snapshot, parameter fingerprint)
SortKey = tuple[float, str]
Sorted = tuple[list[SortKey], list[Item]]


class SortedListings:
    """Least recently used sorted listings, capped by count and by total items."""

    def __init__(
        self, max_listings: int = SORTED_LISTINGS_KEPT, max_items: int = SORTED_ITEMS_KEPT
    ) -> None:
        self._kept: OrderedDict[Key, Sorted] = OrderedDict()
        self._max_listings = max_listings
        self._max_items = max_items
        self._items = 0

    def get(self, key: Key) -> Sorted | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: Key, value: Sorted) -> None:
        previous = self._kept.pop(key, None)
        if previous is not None:
            self._items -= len(previous[1])
        self._kept[key] = value
        self._items += len(value[1])
        while len(self._kept) > 1 and (
            len(self._kept) > self._max_listings or self._items > self._max_items
        ):
            _, evicted = self._kept.popitem(last=False)
            self._items -= len(evicted[1])

    @property
    def item_count(self) -> int:
        """Items held across every kept listing."""
        return self._items

    def __len__(self) -> int:
        return len(self._kept)


def sorted_page(
    kept: SortedListings,
    calendar: Calendar,
    flt: EventFilter,
    after: SortKey | None,
    snapshot: int,
    fingerprint: str,
    size: int,
    now: datetime,
) -> Page:
    """The page after sort key `after` (None: the first page) of a sorted listing."""
    key = (calendar.id, snapshot, fingerprint)
    found = kept.get(key)
    if found is None:
        walk = listing.walk(calendar, flt, (0, None), snapshot, now)
        items = sorted((i for _, _, i in walk if i is not None), key=_sort_key)
        found = ([_sort_key(i) for i in items], items)
        kept.put(key, found)
    keys, items = found
    first = bisect_right(keys, after) if after else 0
    chosen = items[first : first + size]
    more = first + size < len(items)
    return Page(chosen, None, keys[first + size - 1] if more else None)


def _sort_key(item: Item) -> SortKey:
    return item.start_ts, item.instance_id or item.event.id
