"""`provider.changes`: raw provider objects fetched by one sync, for the syncer to map and diff."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import topics
from shared.contracts.connections import Provider
from shared.contracts.envelope import Payload, register


class ProviderObject(BaseModel):
    """One provider object as fetched: for CalDAV one calendar resource, its iCalendar text
    (`ical`); for Google one event resource of an `events.list` page, its JSON text (`google`);
    for Microsoft one Graph event of a `calendarView/delta` round, a sparse occurrence merged
    onto its series master, its JSON text (`graph`); for Zoom one upcoming meeting as
    `GET /meetings/{id}` gives it (occurrences included), never with `start_url` (`zoom`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    provider_object_id: str
    etag: str | None
    format: Literal["ical", "google", "graph", "zoom"]
    data: str


@register
class ProviderChangesFetched(Payload):
    """One page of a sync. A full sync spans pages sharing `sync_id`; `final` closes it, and
    for a full sync everything stored but not listed under that `sync_id` is gone."""

    TYPE: ClassVar[str] = "provider.changes_fetched"
    TOPIC: ClassVar[str] = topics.PROVIDER_CHANGES
    calendar_id: str
    provider: Provider
    sync_id: str
    page: int = Field(ge=0)  # 0-based; the final page's number + 1 is the listing's page count
    full: bool
    final: bool
    calendar_time_zone: str | None
    account_addresses: tuple[str, ...]
    objects: tuple[ProviderObject, ...]
    removed: tuple[str, ...]
    # The sync window the objects were selected for: a listing holds only objects with events
    # in [window_start, window_end), so reconciling a full listing concerns that range only.
    window_start: datetime | None = None
    window_end: datetime | None = None
    # Listing pages only: objects the connector saw but left out because every event of theirs
    # ended before `window_start`. They still exist, so reconciling the listing keeps them.
    before_window: tuple[str, ...] = ()

    def key(self) -> str:
        return self.calendar_id
