"""Admin routes of Zoom apps' webhook endpoints (what a developer sets in the Marketplace's app
settings): `PUT|GET|DELETE /_admin/apps/{client_id}/webhook` and `POST …/webhook/validate`, which
re-runs the `endpoint.url_validation` challenge (Zoom repeats it every 72 hours)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from sandbox import push_targets
from sandbox.oauth.store import OAuthStore
from sandbox.zoom import endpoints
from sandbox.zoom.backend import ZoomBackend
from sandbox.zoom.endpoints import Endpoint, ValidationFailed


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as the shared admin API: a misspelt field is a 422
    url: str
    secret_token: str = Field(min_length=1)


def admin_router(backend: ZoomBackend, store: OAuthStore) -> APIRouter:
    router = APIRouter(prefix="/_admin/apps/{client_id}/webhook", tags=["admin"])

    def zoom_app(client_id: str) -> str:
        app = store.app(client_id)
        if app is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown client {client_id!r}")
        if app.provider != "zoom":
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{client_id!r} is not a Zoom app")
        return app.client_id

    def configured(client_id: str) -> Endpoint:
        endpoint = backend.hub.endpoint(zoom_app(client_id))
        if endpoint is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{client_id!r} has no webhook")
        return endpoint

    async def validated(client_id: str, url: str, secret_token: str) -> Endpoint:
        problem = push_targets.address_problem(
            url, allow_private=backend.settings.allow_private_push_addresses
        )
        if problem is not None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, problem)
        now = backend.now()
        try:
            await endpoints.validate(
                url, secret_token, now, backend.options.validation_timeout_seconds
            )
        except ValidationFailed as failed:
            detail = f"URL validation failed: {failed}"
            raise HTTPException(status.HTTP_400_BAD_REQUEST, detail) from failed
        return Endpoint(client_id, url, secret_token, now)

    @router.put("")
    async def save(client_id: str, body: WebhookIn) -> dict[str, Any]:
        endpoint = await validated(zoom_app(client_id), body.url, body.secret_token)
        backend.hub.configure(endpoint)
        return endpoint.as_json()

    @router.get("")
    async def show(client_id: str) -> dict[str, Any]:
        return configured(client_id).as_json()

    @router.delete("", status_code=status.HTTP_204_NO_CONTENT)
    async def remove(client_id: str) -> Response:
        configured(client_id)
        backend.hub.remove(client_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/validate")
    async def revalidate(client_id: str) -> dict[str, Any]:
        """A failure keeps the configuration but pauses events until a validation passes."""
        endpoint = configured(client_id)
        try:
            passed = await validated(client_id, endpoint.url, endpoint.secret_token)
        except HTTPException:
            endpoint.validated = False
            raise
        backend.hub.configure(passed)
        return passed.as_json()

    return router
