"""Stored event vs newly mapped event → the change to announce, if any.

Fields compare in JSON form, as they travel; `raw` and `raw_truncated` are not compared, since
provider bookkeeping (DTSTAMP, SEQUENCE) alone is not a change anyone can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.contracts.events import ChangeType, EventState

_UNCOMPARED = frozenset({"raw", "raw_truncated"})
COMPARED_FIELDS = tuple(name for name in EventState.model_fields if name not in _UNCOMPARED)


@dataclass(frozen=True)
class Change:
    """What happened to one event: its state after, the fields that moved, their old values."""

    change_type: ChangeType
    event: EventState
    changed_fields: tuple[str, ...] = ()
    previous: dict[str, Any] = field(default_factory=dict)


def diff_event(old: EventState | None, new: EventState | None) -> Change | None:
    """`old` is the stored state (a tombstone counts as absent), `new` None means it is gone."""
    if new is None:
        if old is None or old.is_deleted:
            return None
        gone = old.model_copy(update={"is_deleted": True})
        return Change("deleted", gone, ("is_deleted",), {"is_deleted": False})
    if old is None or old.is_deleted:
        return Change("created", new)
    before, after = _comparable(old), _comparable(new)
    changed = tuple(sorted(name for name in COMPARED_FIELDS if before[name] != after[name]))
    if not changed:
        return None
    cancelled = new.status == "cancelled" and old.status != "cancelled"
    previous = {name: before[name] for name in changed}
    return Change("cancelled" if cancelled else "updated", new, changed, previous)


def raw_differs(old: EventState, new: EventState) -> bool:
    """Whether only-stored provider payload moved (saved without a version bump)."""
    return (old.raw, old.raw_truncated) != (new.raw, new.raw_truncated)


def _comparable(event: EventState) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude=set(_UNCOMPARED))
