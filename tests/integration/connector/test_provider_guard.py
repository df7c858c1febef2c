"""The CalDAV provider applies the SSRF guard to every request it makes, redirects included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rollcall.dev.ports import free_port
from services.connector.providers.base import ProviderError, ProviderUnavailable, UrlNotAllowed
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.guarded_http import HttpLimits
from tests.integration.connector.conftest import RadicaleCalendar, credentials
from tests.servers import Radicale

LIMITS = HttpLimits(allow_loopback=True, request_seconds=10, max_response_bytes=1 << 24)


class _RedirectToPrivate(BaseHTTPRequestHandler):
    requests = 0

    def _redirect(self) -> None:
        type(self).requests += 1
        self.send_response(301)
        self.send_header("Location", "http://10.255.255.1/dav/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PROPFIND = do_REPORT = _redirect

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _RedirectToPrivate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_redirect_to_a_private_address_is_not_followed(redirecting_server: str) -> None:
    provider = CaldavProvider(LIMITS)
    creds = provider.parse_credentials(
        {"url": redirecting_server, "username": "a", "password": "b"}
    )
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    assert _RedirectToPrivate.requests >= 1


async def test_a_loopback_server_is_refused_when_loopback_is_not_allowed(
    radicale: Radicale,
) -> None:
    provider = CaldavProvider(replace(LIMITS, allow_loopback=False))
    creds = provider.parse_credentials(credentials(radicale))
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    with pytest.raises(UrlNotAllowed):
        await provider.fetch_changes(creds, f"{radicale.url}alice/any/", None)


class _Hostile(BaseHTTPRequestHandler):
    """`/huge/`: an endless body; `/slow/`: a body dripping one byte every 0.2 s."""

    def _answer(self) -> None:
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        try:
            for _ in range(100_000):
                if self.path.startswith("/huge/"):
                    self.wfile.write(b"<a>" + b"x" * 65_536 + b"</a>")
                else:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
        except OSError:
            return  # the client hung up, as it should

    do_PROPFIND = do_REPORT = _answer

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture
def hostile_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_response_over_the_size_cap_is_refused(hostile_server: str) -> None:
    provider = CaldavProvider(replace(LIMITS, max_response_bytes=1 << 20))
    creds = provider.parse_credentials(
        {"url": f"{hostile_server}/huge/", "username": "a", "password": "b"}
    )
    with pytest.raises(ProviderError, match="too large"):
        await provider.discover(creds, None)


async def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(
    hostile_server: str,
) -> None:
    provider = CaldavProvider(replace(LIMITS, request_seconds=1.0))
    creds = provider.parse_credentials(
        {"url": f"{hostile_server}/slow/", "username": "a", "password": "b"}
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        await provider.list_calendars(creds)
    assert time.monotonic() - started < 2.5


async def test_listing_returns_every_event_calendar_with_its_properties(
    radicale: Radicale, xandikos: str
) -> None:
    await RadicaleCalendar(radicale, "alice", "Listing").create(0)
    provider = CaldavProvider(LIMITS)
    listing = await provider.list_calendars(provider.parse_credentials(credentials(radicale)))
    names = {c.name: c for c in listing.calendars}
    assert names["Listing"].holds_events and names["Listing"].writable
    assert listing.account_email is None  # "alice" is no address; Radicale gives none

    xan = await provider.list_calendars(
        provider.parse_credentials({"url": xandikos, "username": "u", "password": "p"})
    )
    assert [c.url for c in xan.calendars if c.holds_events] == [
        xandikos + "user/calendars/calendar/"
    ]
