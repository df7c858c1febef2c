"""Split one sync's fetched objects and removals into message-sized pages.

Sizes are measured as the JSON the objects travel as, so escaping is accounted for; an
object too large for any message is set aside for the caller to report, never sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.contracts.connections import Provider
from shared.contracts.provider import ProviderChangesFetched, ProviderObject
from shared.contracts.wire import encode

PAGE_BYTES = 500_000
MAX_OBJECT_BYTES = 900_000


@dataclass
class Page:
    objects: list[ProviderObject] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    before_window: list[str] = field(default_factory=list)
    size: int = 0


@dataclass(frozen=True)
class Paging:
    pages: list[Page]
    oversized: list[str]


def encoded_size(value: ProviderObject | str) -> int:
    """Bytes on the wire, measured with the relay's own encoder."""
    if isinstance(value, str):
        return len(encode(value))
    return len(encode(value.model_dump(mode="json")))


def split_pages(
    objects: tuple[ProviderObject, ...] | list[ProviderObject],
    removed: tuple[str, ...] | list[str],
    before_window: tuple[str, ...] | list[str] = (),
    *,
    page_bytes: int = PAGE_BYTES,
    max_object_bytes: int = MAX_OBJECT_BYTES,
) -> Paging:
    """Pages of at most `page_bytes` each (one big object may fill a page alone); never empty."""
    pages = [Page()]
    oversized: list[str] = []
    items = [*objects, *((r, False) for r in removed), *((b, True) for b in before_window)]
    for item in items:
        size = encoded_size(item if isinstance(item, ProviderObject) else item[0])
        if isinstance(item, ProviderObject) and size > max_object_bytes:
            oversized.append(item.provider_object_id)
            continue
        page = pages[-1]
        if page.size and page.size + size > page_bytes:
            page = Page()
            pages.append(page)
        if isinstance(item, ProviderObject):
            page.objects.append(item)
        elif item[1]:
            page.before_window.append(item[0])
        else:
            page.removed.append(item[0])
        page.size += size
    return Paging(pages, oversized)


def changes_messages(
    *,
    calendar_id: str,
    provider: Provider,
    sync_id: str,
    full: bool,
    account_addresses: tuple[str, ...],
    pages: list[Page],
    window: tuple[datetime, datetime] | None = None,
    time_zone: str | None = None,
) -> list[ProviderChangesFetched]:
    """One `ProviderChangesFetched` per page, numbered from 0, the last one `final`."""
    last = len(pages) - 1
    return [
        ProviderChangesFetched(
            calendar_id=calendar_id,
            provider=provider,
            sync_id=sync_id,
            page=number,
            full=full,
            final=number == last,
            calendar_time_zone=time_zone,
            account_addresses=account_addresses,
            objects=tuple(page.objects),
            removed=tuple(page.removed),
            before_window=tuple(page.before_window),
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
        )
        for number, page in enumerate(pages)
    ]
