"""One `calendarView/delta` round of Microsoft Graph (providers.md §2.3), as rows collected
page by page and then turned into the events to publish and the ids removed.

- Rows are upserted by id: an entity may come more than once, in any order; the last row wins.
- `@removed` rows are removals: deleted, or changed to lie outside the window (Graph does not
  say which; either way the event leaves the window's view).
- Series masters are never published (the view holds their occurrences and exceptions), but
  their full rows are kept to complete sparse occurrences.
- A sparse occurrence (`{id, type, seriesMasterId, start, end}`) is merged onto its master's
  properties: the master from this round, else the one the caller fetched
  (`GET /me/events/{seriesMasterId}`, once per master and sync). A master that no longer
  exists takes its occurrences with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Properties of a master that do not belong on one of its occurrences.
_SERIES_ONLY = ("recurrence", "webLink", "@odata.type")
_SPARSE_KEYS = frozenset(
    {"@odata.type", "@odata.etag", "id", "type", "seriesMasterId", "start", "end"}
)


@dataclass(frozen=True)
class RoundEvents:
    """What a round amounts to: event rows to publish (full or merged) and removed ids."""

    events: tuple[dict[str, Any], ...]
    removed: tuple[str, ...]


@dataclass
class DeltaRound:
    """The rows of one round so far, by id, in the order of their last appearance."""

    _rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, rows: Iterable[Any]) -> None:
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("id"), str) and row["id"]:
                self._rows.pop(row["id"], None)
                self._rows[row["id"]] = row

    def masters_to_fetch(self) -> set[str]:
        """Masters of sparse occurrences whose full row this round did not bring."""
        wanted = {_master_id(row) for row in self._rows.values() if is_sparse(row)}
        return {m for m in wanted if m and m not in self._rows}

    def events(self, fetched_masters: Mapping[str, dict[str, Any] | None]) -> RoundEvents:
        """The round's events; `fetched_masters` maps a master id to its row, None when gone."""
        masters = {**fetched_masters, **self._own_masters()}  # a removed master is None
        events: list[dict[str, Any]] = []
        removed: list[str] = []
        for event_id, row in self._rows.items():
            if "@removed" in row:
                removed.append(event_id)
            elif is_sparse(row):
                master = masters.get(_master_id(row) or "")
                if master is None:
                    removed.append(event_id)
                else:
                    events.append(merge_occurrence(master, row))
            elif row.get("type") != "seriesMaster":
                events.append(row)
        return RoundEvents(tuple(events), tuple(removed))

    def _own_masters(self) -> dict[str, dict[str, Any] | None]:
        return {i: (r if _is_full_master(r) else None) for i, r in self._rows.items()}


def is_sparse(row: Mapping[str, Any]) -> bool:
    """An occurrence row with nothing but its ids and times."""
    return row.get("type") == "occurrence" and set(row) <= _SPARSE_KEYS


def merge_occurrence(master: Mapping[str, Any], sparse: Mapping[str, Any]) -> dict[str, Any]:
    """The occurrence as `calendarView` would show it: the master's properties (its iCalUId,
    the series', included) under the occurrence's own ids, etag and times."""
    merged = {k: v for k, v in master.items() if k not in _SERIES_ONLY}
    merged.update({k: v for k, v in sparse.items() if k != "@odata.type"})
    return merged


def _master_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("seriesMasterId")
    return value if isinstance(value, str) and value else None


def _is_full_master(row: Mapping[str, Any] | None) -> bool:
    return row is not None and row.get("type") == "seriesMaster" and "@removed" not in row
