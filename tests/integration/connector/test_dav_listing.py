"""Fetching a calendar's objects: hrefs and ETags from one sync-collection REPORT, bodies from
calendar-multiget REPORTs of up to 100 objects, never one GET per object; against Radicale and
Xandikos, with the requests counted by a proxy in front of them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from caldav.davclient import DAVClient

from services.connector.providers.base import FetchedChanges
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.guarded_http import HttpLimits
from tests.dying_proxy import DyingProxy, running_dying_proxy
from tests.integration.connector.conftest import event_text
from tests.servers import Radicale, running_xandikos

LIMITS = HttpLimits(allow_loopback=True, request_seconds=10, max_response_bytes=1 << 24)
OBJECTS = 250  # three multiget batches


@dataclass(frozen=True)
class Filled:
    """A calendar holding `OBJECTS` events on one server."""

    server: str
    username: str
    password: str
    path: str  # the calendar's path on the server, e.g. /alice/batch-1234abcd/

    def client(self) -> Any:  # caldav's annotations are partial
        return DAVClient(url=self.server, username=self.username, password=self.password)

    def calendar(self, client: Any) -> Any:
        return client.calendar(url=self.server.rstrip("/") + self.path)


def _fill(filled: Filled) -> Filled:
    with filled.client() as client:
        calendar = filled.calendar(client)
        for number in range(OBJECTS):
            calendar.save_event(event_text(f"batch-{number}", f"Event {number}"))
    return filled


@pytest.fixture(scope="module")
def radicale_filled(radicale: Radicale) -> Filled:
    cal_id = f"batch-{secrets.token_hex(4)}"
    filled = Filled(radicale.url, "alice", radicale.users["alice"], f"/alice/{cal_id}/")
    with filled.client() as client:
        client.principal().make_calendar(name="Batch", cal_id=cal_id)
    return _fill(filled)


@pytest.fixture(scope="module")
def xandikos_filled() -> Iterator[Filled]:
    with running_xandikos() as url:  # its own: other tests count the shared one's objects
        yield _fill(Filled(url, "user", "no-auth", "/user/calendars/calendar/"))


@pytest.fixture(params=["radicale", "xandikos"])
def filled(request: pytest.FixtureRequest) -> Filled:
    found: Filled = request.getfixturevalue(f"{request.param}_filled")
    return found


def _loaded_one_by_one(filled: Filled) -> dict[str, tuple[str, str]]:
    """Every object's data and ETag by path, as caldav loads them (one GET each)."""
    with filled.client() as client:
        listed = filled.calendar(client).get_objects_by_sync_token(load_objects=True)
        gone = listed.deleted_urls  # Radicale lists tombstones in a full listing too
        return {
            unquote(o.url.path): (o.data, o.etag) for o in listed if o.url.canonical() not in gone
        }


def _by_path(changes: FetchedChanges) -> dict[str, tuple[str, str | None]]:
    return {unquote(urlsplit(o.provider_object_id).path): (o.data, o.etag) for o in changes.objects}


async def _fetch(proxy: DyingProxy, filled: Filled, cursor: str | None) -> FetchedChanges:
    provider = CaldavProvider(LIMITS, 4)
    raw = {"url": proxy.url, "username": filled.username, "password": filled.password}
    calendar_url = proxy.url.rstrip("/") + filled.path
    return await provider.fetch_changes(provider.parse_credentials(raw), calendar_url, cursor)


async def test_a_full_listing_loads_every_object_in_a_few_multiget_reports(
    filled: Filled,
) -> None:
    with running_dying_proxy(filled.server) as proxy:
        changes = await _fetch(proxy, filled, None)

    assert changes.full and changes.cursor
    assert _by_path(changes) == _loaded_one_by_one(filled)
    assert len(changes.objects) >= OBJECTS
    # One sync-collection and three multigets, after a 401 when the server asks for a login.
    assert set(proxy.methods()) == {"REPORT"} and len(proxy.seen) in (4, 5)


async def test_an_incremental_sync_loads_the_changed_objects_in_one_report(
    filled: Filled,
) -> None:
    with running_dying_proxy(filled.server) as proxy:
        cursor = (await _fetch(proxy, filled, None)).cursor
        with filled.client() as client:
            calendar = filled.calendar(client)
            for number in (1, 2):
                event = calendar.get_event_by_uid(f"batch-{number}")
                event.data = event_text(f"batch-{number}", f"Edited {number}")
                event.save()
            calendar.get_event_by_uid("batch-3").delete()
            calendar.save_event(event_text("batch-new", "Added"))
        proxy.seen.clear()
        changes = await _fetch(proxy, filled, cursor)

    assert not changes.full
    [removed] = changes.removed
    assert removed.endswith("/batch-3.ics")
    current = _loaded_one_by_one(filled)
    assert {p: current[p] for p in _by_path(changes)} == _by_path(changes)
    summaries = sorted(o.data.split("SUMMARY:")[1].splitlines()[0] for o in changes.objects)
    assert summaries == ["Added", "Edited 1", "Edited 2"]
    assert set(proxy.methods()) == {"REPORT"} and len(proxy.seen) in (2, 3)


async def test_an_object_a_multiget_answer_leaves_out_is_loaded_on_its_own(
    filled: Filled,
) -> None:
    with running_dying_proxy(filled.server) as proxy:
        proxy.omit = frozenset({"batch-7.ics"})
        changes = await _fetch(proxy, filled, None)

    assert _by_path(changes) == _loaded_one_by_one(filled)
    [alone] = [line for line in proxy.seen if line.startswith("GET ")]
    assert alone.endswith("batch-7.ics")
