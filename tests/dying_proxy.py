"""An HTTP proxy in front of a CalDAV server that records what passes and can misbehave: while
`dying` is set, every REPORT (the sync) gets its headers and half its body, then the connection
is cut; every answer waits `delay` seconds first; hrefs ending in one of `omit` are left out of
calendar-multiget answers. Everything else passes through unchanged."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from lxml import etree

from rollcall.dev.ports import free_port

_DAV = "{DAV:}"


@dataclass
class DyingProxy:
    url: str
    dying: threading.Event = field(default_factory=threading.Event)
    cut: int = 0  # answers cut so far
    seen: list[str] = field(default_factory=list)  # "METHOD path" of every request received
    delay: float = 0.0
    omit: frozenset[str] = frozenset()

    def methods(self) -> list[str]:
        return [line.split(" ", 1)[0] for line in self.seen]


def _without(answer: bytes, omit: frozenset[str]) -> bytes:
    """A multistatus answer without the responses whose href ends in one of `omit`."""
    tree = etree.fromstring(answer)
    for response in tree.findall(f"{_DAV}response"):
        href = unquote(response.findtext(f"{_DAV}href") or "")
        if href.endswith(tuple(omit)):
            tree.remove(response)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def _handler(upstream: str, proxy: DyingProxy) -> type:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            proxy.seen.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            time.sleep(proxy.delay)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "accept-encoding")
            }
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
            if proxy.omit and b"calendar-multiget" in (body or b"") and response.status == 207:
                data = _without(data, proxy.omit)
            try:
                self._answer(response, data)
            except OSError:
                return  # the client hung up

        def _answer(self, response: http.client.HTTPResponse, data: bytes) -> None:
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "REPORT" and proxy.dying.is_set():
                proxy.cut += 1
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(data)

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward

        def log_message(self, *_: object) -> None:
            return None

    return Handler


@contextmanager
def running_dying_proxy(upstream: str) -> Iterator[DyingProxy]:
    port = free_port()
    proxy = DyingProxy(f"http://127.0.0.1:{port}/")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(upstream, proxy))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
