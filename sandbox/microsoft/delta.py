"""Use case of `calendarView/delta` (providers.md §2.3): rounds over a fixed window, paged with
`@odata.nextLink` (`$skiptoken`) until the last page carries `@odata.deltaLink` (`$deltatoken`).

The initial round sends every stored event in the window in creation order: single instances
and exceptions as full rows, series masters as a full row followed by their occurrences as sparse
rows (ids, type, seriesMasterId, start, end). A later round sends what changed since the previous
one: changed events as above, `@removed` (reason `deleted`) for deleted events and occurrences,
for occurrences a series change moved out of the window, and for changes outside the window. A
round covers the changes up to its first page (later ones come in the next round; replays
happen, as at Graph). A page scans a bounded number of entries, so pages may be short or empty.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sandbox.microsoft import delta_tokens, errors, instances, resources, times
from sandbox.microsoft.delta_tokens import Round
from sandbox.microsoft.instances import Window
from sandbox.microsoft.prefer import Preferences
from sandbox.microsoft.store import Calendar, StoredEvent, shape_at
from sandbox.world import Account

if TYPE_CHECKING:
    from sandbox.microsoft.backend import MicrosoftBackend

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
SCAN_MIN = 5000
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#Collection(event)"
UNSUPPORTED = ("$select", "$filter", "$orderby", "$expand", "$search", "$top", "$skip")


@dataclass(frozen=True)
class DeltaRequest:
    """A delta call: the first of a round has the window, later ones one token."""

    calendar_id: str | None  # None: /me/calendarView/delta (the default calendar)
    start: str | None
    end: str | None
    skip_token: str | None
    delta_token: str | None
    api_url: str  # `<sandbox>/microsoft/v1.0`, for the links
    other_options: tuple[str, ...] = ()


def delta_page(
    backend: MicrosoftBackend, account: Account, request: DeltaRequest, prefs: Preferences
) -> dict[str, Any]:
    for option in request.other_options:
        if option in UNSUPPORTED:
            raise errors.bad_request(f"The query option '{option}' is not supported with delta.")
    with backend.lock:
        calendar = backend.calendar_for(account, request.calendar_id)
        state = _round(backend, account, calendar, request, prefs)
        window = Window(_moment(state.low), _moment(state.high))
        rows, position, done = _collect(calendar, state, window, prefs.zone_name)
    body: dict[str, Any] = {"@odata.context": CONTEXT}
    path = _path(state)
    if done:
        body["@odata.deltaLink"] = f"{request.api_url}/{path}?$deltatoken=" + (
            delta_tokens.encode_delta(state)
        )
    else:
        token = delta_tokens.encode_skip(replace(state, position=position))
        body["@odata.nextLink"] = f"{request.api_url}/{path}?$skiptoken={token}"
    body["value"] = rows
    return body


def _round(
    backend: MicrosoftBackend,
    account: Account,
    calendar: Calendar,
    request: DeltaRequest,
    prefs: Preferences,
) -> Round:
    size = min(prefs.max_page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if request.skip_token is None and request.delta_token is None:
        low = times.parse_query_time(request.start, "startDateTime")
        high = times.parse_query_time(request.end, "endDateTime")
        if high <= low:
            raise errors.bad_request("endDateTime must be after startDateTime.")
        return Round(
            calendar.id,
            request.calendar_id is not None,
            account.id,
            calendar.epoch,
            low.timestamp(),
            high.timestamp(),
            None,
            backend.store.seq,
            (0, 0),
            size,
        )
    kind, raw = ("s", request.skip_token) if request.skip_token else ("d", request.delta_token)
    state = delta_tokens.decode(raw or "", kind)
    if state is None or state.account_id != account.id or state.calendar_id != calendar.id:
        raise _resync(backend, request, None)
    if state.epoch != calendar.epoch or (state.base is not None and state.base < calendar.floor):
        raise _resync(backend, request, state)
    size = min(prefs.max_page_size or state.size, MAX_PAGE_SIZE)
    if kind == "d":
        return replace(state, snapshot=backend.store.seq, position=(0, 0), size=size)
    return replace(state, size=size)


def _resync(
    backend: MicrosoftBackend, request: DeltaRequest, state: Round | None
) -> errors.GraphError:
    """The resync error; with 410 its `Location` starts a new round over the same window."""
    location = None
    if state is not None:
        query = urlencode(
            {
                "startDateTime": times.offset_stamp(_moment(state.low)),
                "endDateTime": times.offset_stamp(_moment(state.high)),
            }
        )
        location = f"{request.api_url}/{_path(state)}?{query}"
    return errors.sync_state_not_found(backend.settings.microsoft_delta_resync_status, location)


def _collect(
    calendar: Calendar, state: Round, window: Window, zone_name: str
) -> tuple[list[dict[str, Any]], tuple[int, int], bool]:
    """One page: (rows, where the next page resumes, whether the round is complete)."""
    rows: list[dict[str, Any]] = []
    seq, skip = state.position
    budget = max(SCAN_MIN, 10 * state.size)
    for entry_seq, entry_rows in _entries(calendar, state, window, zone_name):
        budget -= 1
        fresh = entry_rows[skip if entry_seq == seq else 0 :]
        already = len(entry_rows) - len(fresh)
        room = state.size - len(rows)
        if len(fresh) > room:
            rows.extend(fresh[:room])
            return rows, (entry_seq, already + room), False
        rows.extend(fresh)
        if len(rows) == state.size or budget <= 0:
            return rows, (entry_seq + 1, 0), False
    return rows, (0, 0), True


def _entries(
    calendar: Calendar, state: Round, window: Window, zone_name: str
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(change number, rows) of each entry of the round from its position on."""
    start = state.position[0]
    if state.base is None:
        index = bisect_left(calendar.created, (start, ""))
        for created_seq, event_id in calendar.created[index:]:
            if created_seq > state.snapshot:
                return
            event = calendar.events.get(event_id)
            if event is not None and event.created_seq == created_seq:
                yield created_seq, _initial_rows(event, calendar, window, zone_name)
        return
    for seq, key in calendar.since(max(state.base, start - 1), state.snapshot):
        if calendar.latest.get(key) == seq:  # else changed again later: sent for that change
            yield seq, _changed_rows(key, calendar, state.base, window, zone_name)


def _initial_rows(
    event: StoredEvent, calendar: Calendar, window: Window, zone_name: str
) -> list[dict[str, Any]]:
    if event.kind != "seriesMaster":
        return [_full(event, zone_name)] if window.holds(event.start, event.end) else []
    if not instances.series_in_window(event, calendar, window):
        return []
    occurrences = instances.occurrences_now(event, calendar, window)
    return [_full(event, zone_name), *_sparse(event, occurrences, zone_name)]


def _changed_rows(
    key: str, calendar: Calendar, base: int, window: Window, zone_name: str
) -> list[dict[str, Any]]:
    event = calendar.events.get(key)
    if event is None:
        rows = [resources.removed_json(key)]
        master = calendar.removed_masters.get(key)
        if master is not None:
            rows.extend(resources.removed_json(i) for i in _old_ids(master, base, window))
        return rows
    if event.kind != "seriesMaster":
        if window.holds(event.start, event.end):
            return [_full(event, zone_name)]
        return [resources.removed_json(key)]
    occurrences = instances.occurrences_now(event, calendar, window)
    current = set(instances.generated_ids(event.id, occurrences))
    current |= set(calendar.exceptions.get(event.id, {}))
    gone = [i for i in _old_ids(event, base, window) if i not in current]
    head = (
        _full(event, zone_name)
        if instances.series_in_window(event, calendar, window)
        else resources.removed_json(event.id)
    )
    return [head, *_sparse(event, occurrences, zone_name), *map(resources.removed_json, gone)]


def _old_ids(master: StoredEvent, base: int, window: Window) -> list[str]:
    """Occurrence ids the series generated in the window as of change `base`."""
    shape = shape_at(master, base)
    if shape is None:
        return []
    return instances.generated_ids(
        master.id, instances.generated(master, shape, window, frozenset())
    )


def _full(event: StoredEvent, zone_name: str) -> dict[str, Any]:
    return {"@odata.type": resources.EVENT_TYPE, **resources.event_json(event, zone_name)}


def _sparse(master: StoredEvent, starts: list[datetime], zone_name: str) -> list[dict[str, Any]]:
    return [resources.sparse_occurrence_json(master, s, zone_name) for s in starts]


def _path(state: Round) -> str:
    if state.per_calendar:
        return f"me/calendars/{state.calendar_id}/calendarView/delta"
    return "me/calendarView/delta"


def _moment(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)
