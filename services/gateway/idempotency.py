"""`Idempotency-Key` on POST (api.md → Conventions): the same key and request within 24 h get the
first response again; the same key with another request is a 422; one still running is a 409.

An ASGI middleware, so it sees the exact request bytes and the exact response bytes; the caller's
project comes from the API key as in the routes (an invalid key passes through, to get its 401).
`POST /v1/calendars/authorize` is left out: its answer holds a hosted OAuth state, a bearer
secret that must be stored nowhere (only its hash), and replaying it would hand out a state that
is single use and dead after 10 minutes anyway; a retry simply starts another flow.
"""

from __future__ import annotations

import hashlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.api_keys import hash_key, presented_key
from services.gateway.store import idempotency as store
from services.gateway.store import projects as project_store
from shared.db.types import Executor

_HEADER = b"idempotency-key"
# POST routes whose answers are never kept (see the module docstring); the key is ignored there.
_NOT_KEPT = frozenset({"/v1/calendars/authorize"})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        wiring = getattr(scope["app"].state, "wiring", None) if "app" in scope else None
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or _HEADER not in headers
            or scope["path"] in _NOT_KEPT
        ):
            await self.app(scope, receive, send)
            return
        key = headers[_HEADER].decode("latin-1")
        if not (0 < len(key) <= 255 and key.isprintable()):
            await _problem(send, 422, "Idempotency-Key must be 1 to 255 printable characters.")
            return
        api_key = presented_key(headers.get(b"authorization", b"").decode("latin-1"))
        pool: Executor | None = wiring.pool if wiring is not None else None
        project = (
            await project_store.project_of_key(pool, hash_key(api_key))
            if pool and api_key
            else None
        )
        if pool is None or project is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        digest = _request_hash(scope, body)
        if await store.claim(pool, project, key, digest):
            await self._first(scope, body, send, pool, project, key)
            return
        await _answer_again(scope, body, send, self.app, pool, project, key, digest)

    async def _first(
        self, scope: Scope, body: bytes, send: Send, pool: Executor, project: str, key: str
    ) -> None:
        """Run the request, keep its response (a 5xx frees the key for a retry)."""
        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay(body), keep)
        finally:
            if status < 500:
                await store.complete(pool, project, key, status, content_type, b"".join(chunks))
            else:
                await store.release(pool, project, key)


async def _answer_again(
    scope: Scope,
    body: bytes,
    send: Send,
    app: ASGIApp,
    pool: Executor,
    project: str,
    key: str,
    digest: bytes,
) -> None:
    stored = await store.find(pool, project, key)
    if stored is None:  # expired and purged in between: run it as a new request
        await app(scope, _replay(body), send)
    elif stored.request_hash != digest:
        await _problem(send, 422, "This Idempotency-Key was used with a different request.")
    elif stored.status is None:
        await _problem(
            send, 409, "A request with this Idempotency-Key is still running.", retry_after=True
        )
    else:
        headers = [
            (b"content-type", (stored.content_type or "application/json").encode()),
            (b"idempotent-replayed", b"true"),
        ]
        await send({"type": "http.response.start", "status": stored.status, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body or b""})


def _request_hash(scope: Scope, body: bytes) -> bytes:
    target = f"{scope['method']} {scope['path']}?{scope.get('query_string', b'').decode()}"
    return hashlib.sha256(target.encode() + b"\n" + body).digest()


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _problem(send: Send, status: int, detail: str, *, retry_after: bool = False) -> None:
    title = {409: "Conflict", 422: "Unprocessable content"}[status]
    body = json.dumps(
        {"type": "/problems/idempotency", "title": title, "status": status, "detail": detail}
    ).encode()
    headers = [(b"content-type", b"application/problem+json")]
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
