"""An HTTP proxy in front of a CalDAV server that can die in the middle of an answer: while
`dying` is set, every REPORT (the sync) gets its headers and half its body, then the
connection is cut. Everything else passes through unchanged."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from rollcall.dev.ports import free_port


@dataclass
class DyingProxy:
    url: str
    dying: threading.Event = field(default_factory=threading.Event)
    cut: int = 0  # answers cut so far


def _handler(upstream: str, proxy: DyingProxy) -> type:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
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
