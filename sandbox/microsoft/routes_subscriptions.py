"""HTTP routes of `/subscriptions`: decode, call one use case, answer."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sandbox.microsoft import subscription_changes
from sandbox.microsoft.auth import CurrentAccount
from sandbox.microsoft.backend import MicrosoftBackend
from sandbox.microsoft.http_io import JsonBody, json_response


def subscriptions_router(backend: MicrosoftBackend, route_class: type) -> APIRouter:
    router = APIRouter(prefix="/subscriptions", route_class=route_class)

    @router.post("")
    async def create(account: CurrentAccount, body: JsonBody) -> Response:
        created = await subscription_changes.create(backend, account, body)
        return json_response(created, status=201)

    @router.get("")
    async def list_all(account: CurrentAccount) -> Response:
        return json_response(subscription_changes.list_all(backend, account))

    @router.get("/{subscription_id}")
    async def get(subscription_id: str, account: CurrentAccount) -> Response:
        return json_response(subscription_changes.get(backend, account, subscription_id))

    @router.patch("/{subscription_id}")
    async def renew(subscription_id: str, account: CurrentAccount, body: JsonBody) -> Response:
        return json_response(subscription_changes.renew(backend, account, subscription_id, body))

    @router.post("/{subscription_id}/reauthorize")
    async def reauthorize(subscription_id: str, account: CurrentAccount) -> Response:
        subscription_changes.reauthorize(backend, account, subscription_id)
        return Response(status_code=200)

    @router.delete("/{subscription_id}")
    async def delete(subscription_id: str, account: CurrentAccount) -> Response:
        subscription_changes.delete(backend, account, subscription_id)
        return Response(status_code=204)

    return router
