"""Connection rules: when to discover again, which address is the account's, the state event."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.connector.domain.connections import (
    Connection,
    account_email,
    calendar_matches,
    needs_discovery,
    state_changed,
)
from services.connector.domain.window import bounds, window_of
from shared.contracts.connections import SyncWindow

URL = "https://dav.example.com/alice/work/"
CONNECTED = Connection(
    calendar_id="cal_1",
    project_id="prj_1",
    provider="caldav",
    grant_id="grt_1",
    requested_platform_uuid=None,
    calendar_url=URL,
    name="Work",
    account_email=None,
    account_addresses=(),
    time_zone=None,
    state="connected",
    failure=None,
    sync_cursor="token-1",
    sync_window=SyncWindow(),
    state_version=3,
    sync_failures=0,
    last_attempted_sync_at=None,
    last_successful_sync_at=None,
)


@pytest.mark.parametrize("requested", [URL, URL.rstrip("/"), "/alice/work/", "/alice/work"])
def test_a_platform_uuid_names_a_calendar_by_url_or_path(requested: str) -> None:
    assert calendar_matches(requested, URL)


def test_another_calendar_does_not_match() -> None:
    assert not calendar_matches("/alice/home/", URL)


def test_a_connected_known_calendar_is_not_discovered_again() -> None:
    assert not needs_discovery(CONNECTED)
    assert not needs_discovery(replace(CONNECTED, requested_platform_uuid="/alice/work/"))


@pytest.mark.parametrize(
    "changes",
    [
        {"state": "connecting"},
        {"state": "disconnected"},
        {"calendar_url": None},
        {"requested_platform_uuid": "/alice/home/"},
    ],
)
def test_discovery_runs_when_not_connected_or_another_calendar_is_asked(
    changes: dict[str, object],
) -> None:
    assert needs_discovery(replace(CONNECTED, **changes))  # type: ignore[arg-type]


def test_account_email_prefers_calendar_user_addresses() -> None:
    assert account_email(("alice@example.com",), "alice") == "alice@example.com"
    assert account_email((), "Alice@Example.com") == "alice@example.com"
    assert account_email((), "alice") is None


def test_state_event_carries_the_full_state() -> None:
    event = state_changed(CONNECTED)
    assert event.version == 3
    assert event.platform_uuid == URL
    assert event.state == "connected"
    assert event.key() == "cal_1"


def test_window_defaults_and_bounds() -> None:
    assert window_of(None) == SyncWindow()
    assert window_of({"past_days": 3, "future_days": 10}) == SyncWindow(past_days=3, future_days=10)
    now = datetime(2030, 1, 10, tzinfo=UTC)
    start, end = bounds(SyncWindow(past_days=3, future_days=10), now)
    assert (start.day, end.day) == (7, 20)
    with pytest.raises(ValueError, match="aware"):
        bounds(SyncWindow(), datetime(2030, 1, 10))  # noqa: DTZ001 - the naive case under test
