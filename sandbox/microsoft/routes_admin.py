"""Microsoft's own admin routes (under `/_admin/microsoft`, never faulted nor logged): lifecycle
notifications on demand, and stalling a mailbox's requests (to test timeouts and the concurrency
limit)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict

from sandbox.microsoft import subscription_changes
from sandbox.microsoft.backend import MicrosoftBackend
from sandbox.oauth.store import OAuthStore


class LifecycleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Literal["reauthorizationRequired", "missed", "subscriptionRemoved"]


def admin_router(backend: MicrosoftBackend, store: OAuthStore) -> APIRouter:
    router = APIRouter(prefix="/_admin/microsoft", tags=["admin"])

    @router.post("/subscriptions/{subscription_id}/lifecycle", status_code=202)
    async def lifecycle(subscription_id: str, body: LifecycleIn) -> dict[str, Any]:
        try:
            subscription_changes.send_lifecycle(backend, subscription_id, body.event)
        except LookupError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown subscription") from None
        except ValueError as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        return {"subscription_id": subscription_id, "event": body.event}

    @router.post("/mailboxes/{account_id}/stall", status_code=204)
    async def stall(account_id: str) -> Response:
        _account(store, account_id)
        backend.gate.stall(account_id)
        return Response(status_code=204)

    @router.delete("/mailboxes/{account_id}/stall")
    async def release(account_id: str) -> dict[str, Any]:
        _account(store, account_id)
        released = backend.gate.release(account_id)
        return {"released": released, "in_flight": backend.gate.in_flight(account_id)}

    return router


def _account(store: OAuthStore, account_id: str) -> None:
    account = store.account(account_id)
    if account is None or account.provider != "microsoft":
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown account {account_id!r}")
