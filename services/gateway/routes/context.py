"""Per-request access to the gateway's wiring and the caller's project (API key auth)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Header, Request

from services.gateway.connector_client import ConnectorClient
from services.gateway.domain.api_keys import hash_key, presented_key
from services.gateway.domain.rate_limit import RateLimiter
from services.gateway.push_hints import PushHints
from services.gateway.store import projects as project_store
from shared.http.problems import Problem


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Wiring:
    """What routes need, built once by the composition root and kept on `app.state.wiring`."""

    pool: asyncpg.Pool[Any]
    connector: ConnectorClient
    per_key: RateLimiter
    failed_auth: RateLimiter
    push_hints: PushHints
    push_secret: str = ""  # ROLLCALL_PUSH_SECRET: checks push channel tokens
    clock: Callable[[], datetime] = _utc_now  # hosted OAuth states expire by it


def wiring(request: Request) -> Wiring:
    value = getattr(request.app.state, "wiring", None)
    if value is None:
        raise Problem(503, "The gateway is starting.")
    return value  # type: ignore[no-any-return]


async def project_id(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The project of the API key in `Authorization: Bearer|Token <key>`; 401 otherwise."""
    deps = wiring(request)
    key = presented_key(authorization)
    if key is None:
        raise _unauthorized()
    digest = hash_key(key)
    _limit(deps.per_key, digest.hex())
    found = await project_store.project_of_key(deps.pool, digest)
    if found is None:
        # Guessing keys costs a token per attempt from the caller's address.
        _limit(deps.failed_auth, request.client.host if request.client else "unknown")
        raise _unauthorized()
    return found


def _limit(limiter: RateLimiter, key: str) -> None:
    wait = limiter.take(key, time.monotonic())
    if wait > 0:
        raise Problem(
            429,
            "Too many requests; retry after the number of seconds in Retry-After.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


def _unauthorized() -> Problem:
    return Problem(
        401,
        "A valid API key is required: Authorization: Bearer <api_key>.",
        headers={"WWW-Authenticate": "Bearer"},
    )


ProjectId = Annotated[str, Depends(project_id)]
Deps = Annotated[Wiring, Depends(wiring)]
