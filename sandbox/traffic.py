"""Provider traffic: the ASGI middleware that applies injected faults to every request under
`/<provider>/…` (API and OAuth endpoints alike, never `/_admin`) and records it in a bounded log."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox import faults
from sandbox.oauth.clock import Clock
from sandbox.world import FaultAnswer, ProviderBackend

LOG_LIMIT = 100_000


@dataclass(frozen=True)
class LoggedRequest:
    provider: str
    method: str
    path: str
    status: int
    at: datetime


class RequestLog:
    """The last `limit` provider requests, oldest first."""

    def __init__(self, clock: Clock, limit: int = LOG_LIMIT) -> None:
        self._clock = clock
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)

    def record(self, provider: str, method: str, path: str, status: int) -> None:
        self._entries.append(LoggedRequest(provider, method, path, status, self._clock()))

    def entries(self, provider: str | None = None) -> list[LoggedRequest]:
        return [e for e in self._entries if provider is None or e.provider == provider]

    def clear(self) -> None:
        self._entries.clear()


def split_provider(path: str) -> tuple[str, str]:
    """`/google/calendar/v3/x` → (`google`, `/calendar/v3/x`)."""
    head, _, rest = path.lstrip("/").partition("/")
    return head, "/" + rest


class ProviderTraffic:
    """Pure ASGI middleware (no response buffering, so streaming and timing stay intact)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        providers: Collection[str],
        rules: faults.FaultRules,
        log: RequestLog,
        backends: Mapping[str, ProviderBackend],
    ) -> None:
        self._app = app
        self._providers = frozenset(providers)
        self._backends = backends
        self._rules = rules
        self._log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        provider, relative = split_provider(scope["path"])
        if provider not in self._providers:
            await self._app(scope, receive, send)
            return
        status = 500  # what the log says when the app raises before answering

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._serve(provider, relative, scope, receive, recording_send)
        finally:
            self._log.record(provider, scope["method"], scope["path"], status)

    async def _serve(
        self, provider: str, relative: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        rule = self._rules.take(provider, relative)
        if rule is not None and rule.latency_ms > 0:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule is None or not rule.status:
            await self._app(scope, receive, send)
            return
        answer = self._answer(provider, rule.status, rule.reason, relative)
        headers = dict(answer.headers)
        if rule.retry_after is not None:
            headers["Retry-After"] = str(rule.retry_after)
        await JSONResponse(answer.body, rule.status, headers)(scope, receive, send)

    def _answer(self, provider: str, status: int, reason: str | None, path: str) -> FaultAnswer:
        backend = self._backends.get(provider)
        if backend is None:  # a provider with OAuth only: a plain OAuth-style error
            return FaultAnswer({"error": reason or "temporarily_unavailable"})
        return backend.fault_answer(status, reason, path)
