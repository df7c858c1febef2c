"""Use case `events.instances`: one recurring series expanded, paged by original start; here
timeMin is inclusive, as documented (providers.md §1.3, §1.7).
"""

from __future__ import annotations

from sandbox.google import errors, event_listing, listing, resources, series, sync
from sandbox.google.backend import GoogleBackend
from sandbox.google.event_listing import ListRequest
from sandbox.google.listing import EventFilter, Item
from sandbox.google.times import parse_query_time, zone
from sandbox.world import Account


def list_instances(
    backend: GoogleBackend,
    account: Account,
    calendar_id: str,
    event_id: str,
    request: ListRequest,
    original_start: str | None,
) -> str:
    """`events.instances`: one series expanded; here timeMin is inclusive (as documented)."""
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        now = backend.now()
        master = calendar.events.get(event_id)
        if master is None:
            raise errors.not_found()
        time_min, time_max = event_listing.window(request)
        wanted = parse_query_time(original_start, "originalStart")
        size = event_listing.page_size(
            request.max_results, backend.settings.google_page_size_default
        )
        print_ = sync.fingerprint(
            "instances", event_id, time_min, time_max, request.show_deleted, original_start
        )
        token = (
            sync.read_page_token(request.page_token, scope=calendar.id, fingerprint=print_)
            if request.page_token
            else None
        )
        found: list[series.Instance] = []
        if master.recurrence is not None and not master.cancelled:
            found = series.instances(
                master,
                calendar,
                now,
                time_min=time_min,
                time_max=time_max,
                inclusive_min=True,
                after=token.sub if token else None,
            )
        flt = EventFilter(single_events=True, show_deleted=bool(request.show_deleted))
        items: list[Item] = []
        last: float | None = None
        more = False
        for instance in found:
            if wanted is not None and instance.orig_ts != wanted.timestamp():
                continue
            item = listing.instance_item(master, instance, calendar, flt)
            if item is None:
                continue
            if len(items) == size:
                more = True
                break
            items.append(item)
            last = instance.orig_ts
        header = resources.events_header(calendar)
        if more:
            header["nextPageToken"] = sync.encode_page_token(
                sync.PageToken(calendar.id, calendar.seq, print_, sub=last)
            )
        shown = zone(request.time_zone) if request.time_zone else None
        return resources.events_page(
            header, [event_listing.render(item, calendar, shown) for item in items]
        )
