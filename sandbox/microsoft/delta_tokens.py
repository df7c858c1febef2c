"""calendarView delta state tokens (`$skiptoken`, `$deltatoken`): opaque to clients, a few numbers
to the sandbox. Both carry the round's window, calendar, account and token epoch (providers.md
§2.3: the window is fixed per token); a skip token also the round's position, a delta token the
change number the finished round saw up to."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Round:
    """One delta round: changes after `base` (None: the initial round) up to `snapshot`;
    `position` is (change number, rows of it already sent)."""

    calendar_id: str
    per_calendar: bool  # asked under /me/calendars/{id}/ rather than /me/
    account_id: str
    epoch: int
    low: float
    high: float
    base: int | None
    snapshot: int
    position: tuple[int, int]
    size: int


def encode_skip(state: Round) -> str:
    return _encode(["s", *_fields(state), state.base, state.snapshot, list(state.position)])


def encode_delta(state: Round) -> str:
    """The next round starts where this one's snapshot ends."""
    return _encode(["d", *_fields(state), state.snapshot])


def decode(raw: str, kind: str) -> Round | None:
    """The round of a token of `kind` (`s` or `d`); None for anything else. A delta token's
    round is a template: the caller sets the new snapshot."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list) or value[0] != kind:
            return None
        calendar_id, per_calendar, account_id, epoch, low, high, size = value[1:8]
        if kind == "s":
            base, snapshot, position = value[8], int(value[9]), value[10]
            place = (int(position[0]), int(position[1]))
        else:
            base, snapshot, place = int(value[8]), 0, (0, 0)
        state = Round(
            str(calendar_id),
            bool(per_calendar),
            str(account_id),
            int(epoch),
            float(low),
            float(high),
            None if base is None else int(base),
            snapshot,
            place,
            int(size),
        )
    except (binascii.Error, ValueError, TypeError, IndexError, UnicodeDecodeError):
        return None
    return state


def _fields(state: Round) -> list[Any]:
    return [
        state.calendar_id,
        state.per_calendar,
        state.account_id,
        state.epoch,
        state.low,
        state.high,
        state.size,
    ]


def _encode(fields: list[Any]) -> str:
    text = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
