"""Envelope round trips keep every type exactly, and unknown or malformed messages are refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.contracts.envelope import Envelope, UnknownMessageType, unwrap, wrap
from shared.contracts.events import CalendarEventChanged, EventState
from shared.contracts.hints import SyncHint
from tests.factories import event_state


def _event(start: date | datetime, end: date | datetime) -> EventState:
    all_day = isinstance(start, date) and not isinstance(start, datetime)
    return event_state(start_time=start, end_time=end, is_all_day=all_day, time_zone=None)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 7, 1), date(2026, 7, 2)),
        (datetime(2026, 7, 1, 8, tzinfo=UTC), datetime(2026, 7, 1, 9, tzinfo=UTC)),
    ],
)
def test_event_times_survive_the_wire_with_their_type(
    start: date | datetime, end: date | datetime
) -> None:
    change = CalendarEventChanged(
        calendar_id="cal_1",
        version=3,
        change="created",
        event=_event(start, end),
        changed_fields=(),
        previous={},
    )
    wire = wrap(change, "prj_1").model_dump_json()
    decoded = unwrap(Envelope.model_validate_json(wire))
    assert decoded == change
    assert type(decoded.event.start_time) is type(start)  # type: ignore[attr-defined]


def test_the_envelope_is_keyed_by_the_aggregate() -> None:
    change = CalendarEventChanged(
        calendar_id="cal_9",
        version=1,
        change="created",
        event=_event(date(2026, 1, 1), date(2026, 1, 2)),
        changed_fields=(),
        previous={},
    )
    envelope = wrap(change, "prj_1")
    assert envelope.key == "cal_9" and envelope.type == "calendar_event.changed"


def test_unknown_types_are_refused_and_unknown_fields_tolerated() -> None:
    with pytest.raises(UnknownMessageType):
        unwrap(Envelope(type="nope", project_id="p", key="k", payload={}))
    body = json.loads(
        wrap(
            CalendarEventChanged(
                calendar_id="c",
                version=1,
                change="created",
                event=_event(date(2026, 1, 1), date(2026, 1, 2)),
                changed_fields=(),
                previous={},
            ),
            "p",
        ).model_dump_json()
    )
    body["payload"]["surprise"] = 1  # a newer producer's field: read past it
    assert unwrap(Envelope.model_validate(body)).calendar_id == "c"  # type: ignore[attr-defined]
    del body["payload"]["version"]
    with pytest.raises(ValidationError):
        unwrap(Envelope.model_validate(body))


def test_the_checked_in_asyncapi_document_matches_the_contracts() -> None:
    from rollcall.asyncapi import DOCUMENT, render

    assert DOCUMENT.read_text() == render(), "run `rollcall asyncapi` and commit docs/asyncapi.json"


def test_a_sync_hint_without_a_channel_action_reads_as_before_and_an_action_names_its_channel() -> (
    None
):
    old = Envelope(
        type="sync.hint",
        project_id="p",
        key="cal_1",
        payload={"calendar_id": "cal_1", "reason": "push"},
    )
    hint = unwrap(old)
    assert isinstance(hint, SyncHint) and hint.channel is None and hint.channel_id is None
    acted = SyncHint(calendar_id="cal_1", reason="push", channel="recreate", channel_id="cal_1.a")
    assert unwrap(wrap(acted, "p")) == acted
    with pytest.raises(ValidationError):
        SyncHint(calendar_id="cal_1", reason="push", channel="reauthorize")
    with pytest.raises(ValidationError):
        SyncHint(calendar_id="cal_1", reason="push", channel_id="cal_1.a")
    with pytest.raises(ValidationError):
        SyncHint(calendar_id="cal_1", reason="push", channel="stop", channel_id="cal_1.a")  # type: ignore[arg-type]
