"""The CalDAV provider applies the SSRF guard to every request it makes, redirects included."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rollcall.dev.ports import free_port
from services.connector.providers.base import UrlNotAllowed
from services.connector.providers.caldav import CaldavProvider
from tests.integration.connector.conftest import credentials
from tests.servers import Radicale


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
    provider = CaldavProvider(timeout=5, allow_loopback=True)
    creds = provider.parse_credentials(
        {"url": redirecting_server, "username": "a", "password": "b"}
    )
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    assert _RedirectToPrivate.requests >= 1


async def test_a_loopback_server_is_refused_when_loopback_is_not_allowed(
    radicale: Radicale,
) -> None:
    provider = CaldavProvider(timeout=5, allow_loopback=False)
    creds = provider.parse_credentials(credentials(radicale))
    with pytest.raises(UrlNotAllowed):
        await provider.discover(creds, None)
    with pytest.raises(UrlNotAllowed):
        await provider.fetch_changes(creds, f"{radicale.url}alice/any/", None)
