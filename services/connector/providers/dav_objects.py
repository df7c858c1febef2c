"""A calendar's objects from a sync-collection listing (RFC 6578): hrefs and ETags first,
then the bodies with calendar-multiget REPORTs (RFC 4791 §7.9) of `MULTIGET_BATCH` objects,
never one GET per object (caldav's `load_objects=True`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from caldav.lib import error

from services.connector.providers.base import FetchedChanges
from services.connector.providers.guarded_http import Deadline
from shared.contracts.provider import ProviderObject

MULTIGET_BATCH = 100  # hrefs per calendar-multiget REPORT


def changes_of(
    result: Any, calendar_url: str, loader: ObjectLoader, *, full: bool
) -> FetchedChanges:
    """A caldav sync-collection (or fallback) listing as changes, the objects' data loaded."""
    deleted = result.deleted_urls
    own = calendar_url.rstrip("/")
    # iCloud lists the collection itself as one of its members; Radicale lists tombstones even
    # in an initial sync (reported as removed).
    members = [item for item in result if str(item.url).rstrip("/") != own]
    removed = [str(item.url) for item in members if item.url.canonical() in deleted]
    listed = [item for item in members if item.url.canonical() not in deleted]
    loaded = loader.load(listed)
    objects: list[ProviderObject] = []
    for item in listed:
        data, etag = loaded.get(_key(item.url), (None, None))
        if data is None:  # gone between listing and loading
            removed.append(str(item.url))
            continue
        objects.append(
            ProviderObject(
                provider_object_id=str(item.url),
                etag=etag or item.etag,
                format="ical",
                data=data,
            )
        )
    token = result.sync_token
    # caldav's emulated tokens ("fake-…") carry no change information: list fully every time.
    emulated = not token or str(token).startswith("fake-")
    return FetchedChanges(
        objects=tuple(objects),
        removed=tuple(removed),
        cursor=None if emulated else str(token),
        full=full or emulated,
    )


class ObjectLoader:
    """Loads listed objects' data with calendar-multiget REPORTs (RFC 4791 §7.9) of
    `MULTIGET_BATCH` hrefs, each batch given one more request time; an href a server leaves
    out of its answer is loaded on its own."""

    def __init__(self, calendar: Any, deadline: Deadline, request_seconds: float) -> None:
        self._calendar = calendar
        self._deadline = deadline
        self._request_seconds = request_seconds

    def load(self, items: list[Any]) -> dict[str, tuple[str | None, str | None]]:
        """Data and ETag by `_key` of every item (data None: the object is gone)."""
        # caldav's fallback listing (servers without sync-collection) comes with data.
        found = {_key(i.url): (i.data, i.etag) for i in items if i.is_loaded()}
        unloaded = [i for i in items if _key(i.url) not in found]
        for start in range(0, len(unloaded), MULTIGET_BATCH):
            batch = unloaded[start : start + MULTIGET_BATCH]
            self._deadline.extend(self._request_seconds)
            answered = {
                _key(o.url): (o.data, o.etag)
                for o in self._calendar.multiget([i.url for i in batch])
            }
            for item in batch:
                key = _key(item.url)
                found[key] = answered[key] if key in answered else self._load_alone(item)
        return found

    def _load_alone(self, item: Any) -> tuple[str | None, str | None]:
        self._deadline.extend(self._request_seconds)
        try:
            item.load()
        except error.NotFoundError:
            return None, None
        return item.data, item.etag


def _key(url: Any) -> str:
    """An object URL's path as servers may spell it in an answer (`@` quoted or not)."""
    return unquote(str(url.path))
