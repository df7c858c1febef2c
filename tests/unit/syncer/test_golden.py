"""Golden files: real-shaped iCalendar resources and the canonical events they map to.

Each `golden/<name>.ics` has a `golden/<name>.json` holding the mapping context (with the sync
window, `[start, end]`, for a recurring series) and the expected events (without `raw`, which
is checked separately). Regenerate after an intended change with
`python -m tests.unit.syncer.test_golden`, then review the diff.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from services.syncer.domain.ical_mapping import MappingContext, map_object
from services.syncer.domain.window import Window
from shared.contracts.provider import ProviderObject

GOLDEN = Path(__file__).parent / "golden"
CALENDAR_ID = "cal_golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.ics"))


def _mapped(name: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    obj = ProviderObject(
        provider_object_id=f"{name}.ics",
        etag=None,
        format="ical",
        data=(GOLDEN / f"{name}.ics").read_text(),
    )
    bounds = context.get("window")
    ctx = MappingContext.of(
        CALENDAR_ID,
        context["calendar_time_zone"],
        context["account_addresses"],
        window=Window(*map(datetime.fromisoformat, bounds)) if bounds else None,
    )
    return [e.model_dump(mode="json", exclude={"raw"}) for e in map_object(obj, ctx)]


@pytest.mark.parametrize("name", CASES)
def test_golden_file_maps_to_expected_events(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert _mapped(name, expected["context"]) == expected["events"]


def test_every_golden_file_has_expectations() -> None:
    assert CASES
    assert all((GOLDEN / f"{name}.json").exists() for name in CASES)


def _regenerate() -> None:
    for name in CASES:
        path = GOLDEN / f"{name}.json"
        context = (
            json.loads(path.read_text())["context"]
            if path.exists()
            else {
                "calendar_time_zone": None,
                "account_addresses": [],
            }
        )
        body = {"context": context, "events": _mapped(name, context)}
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    _regenerate()
