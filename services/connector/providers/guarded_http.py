"""Guarded HTTP for the (blocking) caldav client: every request passes the SSRF guard,
redirects and server-given hrefs included; the address actually connected to is checked
before anything is sent (DNS rebinding); each response is read with a size cap; each request
ends by a total deadline and each operation by its own (`Deadline`), whatever the server does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from services.connector import ssrf

_CHUNK_BYTES = 16_384


class ResponseTooLarge(Exception):
    """Raised when a response body exceeds the configured cap (a hostile or broken server)."""


class DeadlineExceeded(TimeoutError):
    """Raised when a request (headers and body included) or its whole operation runs past its
    time, or when the operation was abandoned by its caller (`Deadline.cancel`)."""


@dataclass(frozen=True)
class HttpLimits:
    """What every request to a provider server must respect."""

    allow_loopback: bool
    request_seconds: float
    max_response_bytes: int


class Deadline:
    """One operation's time, shared by the thread doing its requests and the event loop waiting
    for it. A request is refused once the time is up or the operation is cancelled; one in
    flight is cut off (its session closed, which unblocks even a read of dripping headers) at
    its own deadline, at the operation's, or at once on `cancel`. Thread-safe."""

    def __init__(self, seconds: float, most_seconds: float | None = None) -> None:
        self._lock = threading.Lock()
        started = time.monotonic()
        self._at = started + seconds
        self._latest = started + max(seconds, most_seconds or seconds)
        self._cancelled = False
        self._cuts: set[Callable[[], None]] = set()  # how to cut off each request in flight

    def remaining(self) -> float:
        """Seconds left (0 once cancelled)."""
        with self._lock:
            return 0.0 if self._cancelled else max(0.0, self._at - time.monotonic())

    def extend(self, seconds: float) -> None:
        """Give the operation more time for work it has just found, up to `most_seconds` after
        it started (without `most_seconds`, none)."""
        with self._lock:
            self._at = min(self._at + seconds, self._latest)

    def cancel(self) -> None:
        """The caller gave up: cut off the request in flight and refuse any further one."""
        with self._lock:
            self._cancelled = True
            cuts = list(self._cuts)
        for cut in cuts:
            cut()

    @contextmanager
    def request(self, seconds: float, abort: Callable[[], None]) -> Iterator[float]:
        """Bound one request to `seconds` (and the operation's time); yields when it must end.
        `abort` (closing the request's connection) runs if it is still going then."""
        fired = threading.Event()

        def cut() -> None:
            fired.set()
            abort()

        with self._lock:
            now = time.monotonic()
            if self._cancelled or now >= self._at:
                raise DeadlineExceeded("the operation ran out of time")
            ends = min(now + seconds, self._at)
            self._cuts.add(cut)
        watchdog = threading.Timer(ends - now, cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield ends
        except Exception:
            if fired.is_set():  # whatever the cut connection raised, the cause is the time
                raise DeadlineExceeded("the server did not finish answering in time") from None
            raise
        finally:
            watchdog.cancel()
            with self._lock:
                self._cuts.discard(cut)


def guard_session(session: Any, limits: HttpLimits, deadline: Deadline) -> None:
    """Install the guards on a niquests session (the caldav client's `session`), its requests
    bounded by `deadline` too."""
    checker = _AddressChecker(limits.allow_loopback)
    session.hooks["pre_request"].append(checker.check_request)
    session.hooks["pre_send"].append(checker.check_destination)
    session.request = _CappedRequest(session, limits, deadline)


class _AddressChecker:
    """niquests hooks: a request's host is checked before it is sent (once per origin and
    session), and the connected peer address on every request."""

    def __init__(self, allow_loopback: bool) -> None:
        self._allow_loopback = allow_loopback
        self._checked: set[str] = set()

    def check_request(self, request: Any, **_: Any) -> Any:
        parts = urlsplit(str(request.url))
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._checked:
            ssrf.check_url_blocking(str(request.url), allow_loopback=self._allow_loopback)
            self._checked.add(origin)
        return request

    def check_destination(self, request: Any, **_: Any) -> Any:
        info = getattr(request, "conn_info", None)
        destination = getattr(info, "destination_address", None)
        if destination:
            ssrf.check_address(str(destination[0]), allow_loopback=self._allow_loopback)
        return request


class _CappedRequest:
    """`session.request` streaming the body under a size cap, each request cut off at its
    deadline: the socket's read timeout alone lets a server drip header lines forever."""

    def __init__(self, session: Any, limits: HttpLimits, deadline: Deadline) -> None:
        self._request = session.request
        self._close = session.close
        self._limits = limits
        self._deadline = deadline

    def __call__(self, method: str, url: str, **kwargs: Any) -> Any:
        with self._deadline.request(self._limits.request_seconds, self._close) as ends:
            kwargs["stream"] = True
            kwargs["timeout"] = self._limits.request_seconds
            response = self._request(method, url, **kwargs)
            try:
                response._content = self._read(response, ends)
            except BaseException:
                response.close()
                raise
        response._content_consumed = True
        return response

    def _read(self, response: Any, deadline: float) -> bytes:
        cap = self._limits.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(f"the server announced more than {cap} bytes")
        body = bytearray()
        for chunk in response.iter_content(_CHUNK_BYTES):
            body += chunk
            if len(body) > cap:
                raise ResponseTooLarge(f"the server sent more than {cap} bytes")
            if time.monotonic() > deadline:
                raise DeadlineExceeded("the server did not finish answering in time")
        if time.monotonic() > deadline:
            raise DeadlineExceeded("the server did not finish answering in time")
        return bytes(body)
