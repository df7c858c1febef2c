"""Guarded HTTP for the (blocking) caldav client: every request passes the SSRF guard,
redirects and server-given hrefs included; the address actually connected to is checked
before anything is sent (DNS rebinding); each response is read with a size cap and each
request ends by a total deadline, whatever the server does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from services.connector import ssrf

_CHUNK_BYTES = 16_384


class ResponseTooLarge(Exception):
    """Raised when a response body exceeds the configured cap (a hostile or broken server)."""


class DeadlineExceeded(TimeoutError):
    """Raised when one request (redirects and body included) runs past its total time."""


@dataclass(frozen=True)
class HttpLimits:
    """What every request to a provider server must respect."""

    allow_loopback: bool
    request_seconds: float
    max_response_bytes: int


def guard_session(session: Any, limits: HttpLimits) -> None:
    """Install the guards on a niquests session (the caldav client's `session`)."""
    checker = _AddressChecker(limits.allow_loopback)
    session.hooks["pre_request"].append(checker.check_request)
    session.hooks["pre_send"].append(checker.check_destination)
    session.request = _CappedRequest(session.request, limits)


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
    """`session.request` streaming the body under a size cap and a total deadline."""

    def __init__(self, request: Any, limits: HttpLimits) -> None:
        self._request = request
        self._limits = limits

    def __call__(self, method: str, url: str, **kwargs: Any) -> Any:
        deadline = time.monotonic() + self._limits.request_seconds
        kwargs["stream"] = True
        kwargs["timeout"] = self._limits.request_seconds
        response = self._request(method, url, **kwargs)
        try:
            response._content = self._read(response, deadline)
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
