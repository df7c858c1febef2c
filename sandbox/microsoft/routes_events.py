"""HTTP routes of events, under `/me/events`, `/me/calendar/events` (the default calendar) and
`/me/calendars/{calendarId}/events`: decode, call one use case, answer."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sandbox.microsoft import event_changes, resources
from sandbox.microsoft.auth import CurrentAccount
from sandbox.microsoft.backend import MicrosoftBackend
from sandbox.microsoft.http_io import JsonBody, Page, Prefs, Select, TimeWindow, json_response

COLLECTIONS = ("/me/events", "/me/calendar/events", "/me/calendars/{calendar_id}/events")


def events_router(backend: MicrosoftBackend, route_class: type) -> APIRouter:
    router = APIRouter(route_class=route_class)

    async def list_events(
        account: CurrentAccount,
        page: Page,
        prefs: Prefs,
        select: Select,
        calendar_id: str | None = None,
    ) -> Response:
        listing = event_changes.list_events(backend, account, calendar_id, page, prefs)
        listing["value"] = [resources.select(row, select) for row in listing["value"]]
        return json_response(listing, prefs)

    async def create_event(
        account: CurrentAccount, body: JsonBody, prefs: Prefs, calendar_id: str | None = None
    ) -> Response:
        created = event_changes.create_event(backend, account, calendar_id, body, prefs)
        return json_response(created, prefs, status=201)

    async def get_event(
        event_id: str, account: CurrentAccount, prefs: Prefs, select: Select
    ) -> Response:
        event = event_changes.get_event(backend, account, event_id, prefs)
        return json_response(resources.select(event, select), prefs)

    async def patch_event(
        event_id: str, account: CurrentAccount, body: JsonBody, prefs: Prefs
    ) -> Response:
        return json_response(
            event_changes.patch_event(backend, account, event_id, body, prefs), prefs
        )

    async def delete_event(event_id: str, account: CurrentAccount) -> Response:
        event_changes.delete_event(backend, account, event_id)
        return Response(status_code=204)

    async def cancel_event(event_id: str, account: CurrentAccount) -> Response:
        event_changes.delete_event(backend, account, event_id, cancelling=True)
        return Response(status_code=202)

    async def list_instances(
        event_id: str, account: CurrentAccount, window: TimeWindow, page: Page, prefs: Prefs
    ) -> Response:
        listing = event_changes.list_instances(backend, account, event_id, window, page, prefs)
        return json_response(listing, prefs)

    for collection in COLLECTIONS:
        item = collection + "/{event_id}"
        router.add_api_route(collection, list_events, methods=["GET"])
        router.add_api_route(collection, create_event, methods=["POST"])
        router.add_api_route(item, get_event, methods=["GET"])
        router.add_api_route(item, patch_event, methods=["PATCH"])
        router.add_api_route(item, delete_event, methods=["DELETE"])
        router.add_api_route(item + "/cancel", cancel_event, methods=["POST"])
        router.add_api_route(item + "/instances", list_instances, methods=["GET"])
    return router
