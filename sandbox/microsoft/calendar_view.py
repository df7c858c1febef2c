"""Use case of `calendarView` (`/me/calendarView`, `/me/calendars/{id}/calendarView`): every
single instance, occurrence and exception overlapping the window, full rows ordered by start,
offset-paged (series masters are not part of a view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.microsoft import event_changes, paging, resources
from sandbox.microsoft.instances import Window
from sandbox.microsoft.prefer import Preferences
from sandbox.microsoft.store import Calendar
from sandbox.world import Account

if TYPE_CHECKING:
    from sandbox.microsoft.backend import MicrosoftBackend


def calendar_view(
    backend: MicrosoftBackend,
    account: Account,
    calendar_id: str | None,
    window: Window,
    page: paging.PageRequest,
    prefs: Preferences,
) -> dict[str, Any]:
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        rows = view_rows(calendar, window, prefs.zone_name)
    return paging.page_of(rows, page, "$metadata#Collection(event)")


def view_rows(calendar: Calendar, window: Window, zone_name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for event in calendar.events.values():
        if event.kind == "seriesMaster":
            rows.extend(event_changes.series_rows(event, calendar, window, zone_name))
        elif event.kind == "singleInstance" and window.holds(event.start, event.end):
            rows.append(resources.event_json(event, zone_name))
    return sorted(rows, key=lambda row: (row["start"]["dateTime"], row["id"]))
