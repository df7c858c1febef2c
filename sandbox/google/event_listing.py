"""Use case `events.list` (full and incremental sync, providers.md §1.3-1.6), answering a ready
JSON page, and the parameter parsing `events.instances` shares with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sandbox.google import errors, listing, resources, sorted_listings, sync
from sandbox.google.backend import GoogleBackend
from sandbox.google.listing import EventFilter, Item
from sandbox.google.store import Calendar
from sandbox.google.times import parse_query_time, zone
from sandbox.world import Account

MAX_PAGE_SIZE = 2500


@dataclass(frozen=True)
class ListRequest:
    """`events.list` query parameters, as given (None: absent)."""

    single_events: bool = False
    show_deleted: bool | None = None
    time_min: str | None = None
    time_max: str | None = None
    updated_min: str | None = None
    q: str | None = None
    ical_uid: str | None = None
    order_by: str | None = None
    max_results: int | None = None
    page_token: str | None = None
    sync_token: str | None = None
    time_zone: str | None = None
    private_properties: tuple[str, ...] = ()
    shared_properties: tuple[str, ...] = ()


def list_events(
    backend: GoogleBackend, account: Account, calendar_id: str, request: ListRequest
) -> str:
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        now = backend.now()
        flt, token = _filter(backend, account, calendar, request, now)
        size = page_size(request.max_results, backend.settings.google_page_size_default)
        print_ = sync.fingerprint(flt, request.order_by)
        page_token = (
            sync.read_page_token(request.page_token, scope=calendar.id, fingerprint=print_)
            if request.page_token
            else None
        )
        snapshot = page_token.snapshot if page_token else calendar.seq
        if request.order_by == "startTime":
            after = page_token.sort_key if page_token else None
            page = sorted_listings.sorted_page(
                backend.sorted_listings, calendar, flt, after, snapshot, print_, size, now
            )
        else:
            start = (page_token.seq, page_token.sub) if page_token else (flt.since or 0, None)
            walk = listing.walk(calendar, flt, start, snapshot, now)
            page = listing.take_page(walk, size, backend.limits.budget(size))
        header = resources.events_header(calendar)
        if page.resume_at is not None:
            seq, sub = page.resume_at
            header["nextPageToken"] = sync.encode_page_token(
                sync.PageToken(calendar.id, snapshot, print_, seq, sub)
            )
        elif page.sort_key is not None:
            header["nextPageToken"] = sync.encode_page_token(
                sync.PageToken(calendar.id, snapshot, print_, sort_key=page.sort_key)
            )
        else:
            window = (flt.time_min, flt.time_max) if token is None else token.window
            header["nextSyncToken"] = sync.encode_sync_token(
                sync.SyncToken(
                    calendar.id,
                    account.id,
                    snapshot,
                    calendar.token_epoch,
                    now.timestamp(),
                    flt.single_events,
                    window,
                )
            )
        shown = zone(request.time_zone) if request.time_zone else None
        return resources.events_page(header, [render(item, calendar, shown) for item in page.items])


def render(item: Item, calendar: Calendar, shown: ZoneInfo | None) -> str:
    """One item as JSON: a tombstone, a generated instance, or a stored event."""
    if item.minimal:
        if item.original is not None and item.instance_id is not None:
            return json.dumps(
                resources.occurrence_tombstone(
                    item.event, item.original, item.instance_id, calendar
                )
            )
        return json.dumps(resources.tombstone(item.event, calendar))
    if item.original is not None and item.instance_id is not None:
        body = resources.occurrence_resource(
            item.event, item.original, item.instance_id, calendar, shown
        )
        return json.dumps(body, ensure_ascii=False)
    if shown is None:
        return resources.event_json(item.event, calendar)
    return json.dumps(resources.event_resource(item.event, calendar, shown), ensure_ascii=False)


def _filter(
    backend: GoogleBackend,
    account: Account,
    calendar: Calendar,
    request: ListRequest,
    now: datetime,
) -> tuple[EventFilter, sync.SyncToken | None]:
    time_min, time_max = window(request)
    updated_min = parse_query_time(request.updated_min, "updatedMin")
    ttl = backend.settings.google_sync_token_ttl_seconds
    if request.order_by not in (None, "startTime", "updated"):
        raise errors.bad_request(
            f"Invalid value for orderBy: {request.order_by}", location="orderBy"
        )
    if request.order_by == "startTime" and not request.single_events:
        raise errors.bad_request(
            "The requested ordering is not available for the particular query."
        )
    if request.time_zone:
        zone(request.time_zone)
    token = None
    if request.sync_token is not None:
        _check_incremental_params(request)
        token = sync.read_sync_token(
            request.sync_token,
            scope=calendar.id,
            account_id=account.id,
            epoch=calendar.token_epoch,
            now=now.timestamp(),
            ttl_seconds=ttl,
        )
        if token.single_events != request.single_events:
            raise errors.bad_request(
                "singleEvents must be the same as for the initial synchronization."
            )
        if backend.settings.google_incremental_keeps_window and token.window is not None:
            time_min, time_max = token.window
    if updated_min is not None and now.timestamp() - updated_min.timestamp() > ttl:
        raise errors.updated_min_too_long_ago()
    flt = EventFilter(
        single_events=request.single_events,
        show_deleted=bool(request.show_deleted),
        time_min=time_min,
        time_max=time_max,
        updated_min=updated_min.timestamp() if updated_min else None,
        terms=tuple(request.q.lower().split()) if request.q else (),
        ical_uid=request.ical_uid,
        since=token.seq if token else None,
        private_properties=_constraints(request.private_properties, "privateExtendedProperty"),
        shared_properties=_constraints(request.shared_properties, "sharedExtendedProperty"),
    )
    return flt, token


def _constraints(raw: tuple[str, ...], name: str) -> tuple[tuple[str, str], ...]:
    """`propertyName=value` constraints (repeatable; an event must match all of them)."""
    parsed = []
    for constraint in raw:
        key, equals, value = constraint.partition("=")
        if not equals or not key:
            raise errors.bad_request(f"Invalid value for {name}: {constraint}", location=name)
        parsed.append((key, value))
    return tuple(sorted(parsed))


def _check_incremental_params(request: ListRequest) -> None:
    """Parameters Google refuses together with syncToken (§1.3): 400 invalid."""
    illegal = {
        "iCalUID": request.ical_uid,
        "orderBy": request.order_by,
        "q": request.q,
        "timeMin": request.time_min,
        "timeMax": request.time_max,
        "updatedMin": request.updated_min,
        "privateExtendedProperty": request.private_properties or None,
        "sharedExtendedProperty": request.shared_properties or None,
    }
    for name, value in illegal.items():
        if value is not None:
            raise errors.bad_request(
                f"{name} cannot be used together with syncToken.", location=name
            )
    if request.show_deleted is False:
        raise errors.bad_request(
            "showDeleted=false is not allowed with syncToken.", location="showDeleted"
        )


def window(request: ListRequest) -> tuple[float | None, float | None]:
    time_min = parse_query_time(request.time_min, "timeMin")
    time_max = parse_query_time(request.time_max, "timeMax")
    if time_min is not None and time_max is not None and time_max <= time_min:
        raise errors.time_range_empty()
    return (
        time_min.timestamp() if time_min else None,
        time_max.timestamp() if time_max else None,
    )


def page_size(requested: int | None, default: int) -> int:
    if requested is None:
        return min(default, MAX_PAGE_SIZE)
    if requested < 1:
        raise errors.bad_request("Invalid value for maxResults.", location="maxResults")
    return min(requested, MAX_PAGE_SIZE)
