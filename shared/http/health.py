"""`/healthz` (the process answers) and `/readyz` (every dependency check passes) routes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, ReadinessCheck], limit_seconds: float = 2.0) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        names = list(checks)
        outcomes = await asyncio.gather(*(_run(checks[n], limit_seconds) for n in names))
        results = dict(zip(names, outcomes, strict=True))
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": results},
            status_code=200 if ready else 503,
        )

    return router


async def _run(check: ReadinessCheck, limit_seconds: float) -> bool:
    try:
        return await asyncio.wait_for(check(), limit_seconds)
    except Exception:
        return False
