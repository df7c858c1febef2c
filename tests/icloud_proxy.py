"""An iCloud look-alike in front of a real Radicale, for the `apple` provider's quirks
(providers.md §3.5): an entry host whose calendar-home-set points at another "partition" host,
a partition host that returns object hrefs on the entry host and lists the collection itself
among a sync-collection's members.

Entry host: `http://127.0.0.1:<port>`; partition host: `http://localhost:<port>` (another
name, so the client must switch hosts, and another port). Both forward to Radicale.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from rollcall.dev.ports import free_port

_HOME_SET = re.compile(r"(<C:calendar-home-set><href>)(/[^<]*)(</href>)")
_OBJECT_HREF = re.compile(r"<href>(/[^<]*\.ics)</href>")
_SYNC_TOKEN = re.compile(r"<sync-token>")


@dataclass(frozen=True)
class FakeIcloud:
    entry_url: str
    partition_url: str
    requests: list[str]


def _handler(upstream: str, rewrite: str, other: str, seen: list[str]) -> type:
    target = urlsplit(upstream)

    class Proxy(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            seen.append(f"{rewrite} {self.command} {self.path}")
            upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "accept-encoding")
            }
            upstream_conn.request(self.command, self.path, body=body, headers=headers)
            response = upstream_conn.getresponse()
            data = response.read()
            if rewrite == "entry":
                data = _HOME_SET.sub(rf"\g<1>{other}\g<2>\g<3>", data.decode()).encode()
            elif self.command == "REPORT" and b"<sync-token>" in data:
                text = _OBJECT_HREF.sub(rf"<href>{other}\g<1></href>", data.decode())
                own = f"<response><href>{self.path}</href><propstat><prop><getetag>"
                own += '"x"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>'
                data = _SYNC_TOKEN.sub(own + "<sync-token>", text, count=1).encode()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream_conn.close()

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward

        def log_message(self, *_: object) -> None:
            return None

    return Proxy


@contextmanager
def running_fake_icloud(radicale_url: str) -> Iterator[FakeIcloud]:
    entry_port, partition_port = free_port(), free_port()
    entry_url = f"http://127.0.0.1:{entry_port}"
    partition_url = f"http://localhost:{partition_port}"
    seen: list[str] = []
    servers = [
        ThreadingHTTPServer(
            ("127.0.0.1", entry_port), _handler(radicale_url, "entry", partition_url, seen)
        ),
        ThreadingHTTPServer(
            ("127.0.0.1", partition_port), _handler(radicale_url, "partition", entry_url, seen)
        ),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield FakeIcloud(f"{entry_url}/", f"{partition_url}/", seen)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
