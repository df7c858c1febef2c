"""Internal service-to-service HTTP: a shared bearer token checked in constant time."""

from __future__ import annotations

import hmac

from fastapi import Header, HTTPException


def require_internal_token(expected: str) -> object:
    """A FastAPI dependency rejecting calls without the internal token (401, no detail)."""

    async def check(authorization: str = Header(default="")) -> None:
        scheme, _, token = authorization.partition(" ")
        if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token, expected):
            raise HTTPException(status_code=401, detail="internal token required")

    return check
