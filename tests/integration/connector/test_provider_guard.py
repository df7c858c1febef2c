"""The CalDAV provider applies the SSRF guard to every request it makes, redirects included,
and its time bounds: a request is cut off at its deadline whatever the server drips, and an
operation that ran out of time makes no further request."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from rollcall.dev.ports import free_port
from services.connector.providers.base import ProviderError, ProviderUnavailable, UrlNotAllowed
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.dav import DavAccount, DavServer
from services.connector.providers.guarded_http import HttpLimits
from tests.dying_proxy import running_dying_proxy
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
    provider = CaldavProvider(LIMITS, 4)
    creds = provider.parse_credentials(
        {"url": redirecting_server, "username": "a", "password": "b"}
    )
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    assert _RedirectToPrivate.requests >= 1


async def test_a_loopback_server_is_refused_when_loopback_is_not_allowed(
    radicale: Radicale,
) -> None:
    provider = CaldavProvider(replace(LIMITS, allow_loopback=False), 4)
    creds = provider.parse_credentials(credentials(radicale))
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    with pytest.raises(UrlNotAllowed):
        await provider.fetch_changes(creds, f"{radicale.url}alice/any/", None)


class _Hostile(BaseHTTPRequestHandler):
    """`/huge/`: an endless body; `/slow/`: a body dripping one byte every 0.2 s;
    `/drip-headers/`: a header line every 0.1 s (each within the socket's read timeout)."""

    header_lines = 0
    hung_up = threading.Event()

    def _answer(self) -> None:
        if self.path.startswith("/drip-headers/"):
            self._drip_headers()
            return
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

    def _drip_headers(self) -> None:
        try:
            self.wfile.write(b"HTTP/1.1 207 Multi-Status\r\n")
            for _ in range(400):
                time.sleep(0.1)
                self.wfile.write(b"X-Drip: 1\r\n")
                type(self).header_lines += 1
        except OSError:
            type(self).hung_up.set()  # the client hung up, as it should

    do_PROPFIND = do_REPORT = _answer

    def log_message(self, *_: object) -> None:
        return None


async def _poll_until(condition: Callable[[], bool], within: float) -> None:
    """Wait for an effect with a deadline (never a bare sleep)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.01)


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
    provider = CaldavProvider(replace(LIMITS, max_response_bytes=1 << 20), 4)
    creds = provider.parse_credentials(
        {"url": f"{hostile_server}/huge/", "username": "a", "password": "b"}
    )
    with pytest.raises(ProviderError, match="too large"):
        await provider.discover(creds, None)


async def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(
    hostile_server: str,
) -> None:
    provider = CaldavProvider(replace(LIMITS, request_seconds=1.0), 4)
    creds = provider.parse_credentials(
        {"url": f"{hostile_server}/slow/", "username": "a", "password": "b"}
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        await provider.list_calendars(creds)
    assert time.monotonic() - started < 2.5


async def test_a_server_that_drips_its_headers_is_cut_off_at_the_request_deadline(
    hostile_server: str,
) -> None:
    provider = CaldavProvider(replace(LIMITS, request_seconds=1.0), 4)
    url = f"{hostile_server}/drip-headers/"
    creds = provider.parse_credentials({"url": url, "username": "a", "password": "b"})
    with pytest.raises(ProviderUnavailable):
        await provider.fetch_changes(creds, url, None)  # bounded by 10 request times
    # The server notices the hang-up at its next line; uncut, it would drip for 40 s.
    await _poll_until(_Hostile.hung_up.is_set, within=20)
    assert _Hostile.header_lines < 30  # about one request time's worth (10 lines)


async def test_an_operation_out_of_time_sends_no_further_request(radicale: Radicale) -> None:
    calendars = [await RadicaleCalendar(radicale, "alice", f"Slow{n}").create(0) for n in range(4)]
    password = SecretStr(radicale.users["alice"])
    with running_dying_proxy(radicale.url) as proxy:
        proxied = DavAccount(proxy.url, "alice", password)
        await DavServer(LIMITS, 4).list_calendars(proxied)
        needed = len(proxy.seen)
        proxy.seen.clear()
        proxy.delay = 0.4
        server = DavServer(replace(LIMITS, request_seconds=1.0), threads=1)
        with pytest.raises(ProviderUnavailable):
            await server.list_calendars(proxied)  # bounded by one request time
        sent = len(proxy.seen)
        assert sent + 3 <= needed  # the listing was far from done
        # The server's only thread is free again: another operation runs on it (it would wait
        # behind a thread still listing), and the abandoned listing sent nothing more.
        direct = DavAccount(radicale.url, "alice", password)
        changes = await server.fetch_changes(direct, calendars[0].url, None)
        assert changes.objects == ()
        assert len(proxy.seen) <= sent + 1  # at most the request in flight when it was cut


async def test_listing_returns_every_event_calendar_with_its_properties(
    radicale: Radicale, xandikos: str
) -> None:
    await RadicaleCalendar(radicale, "alice", "Listing").create(0)
    provider = CaldavProvider(LIMITS, 4)
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
