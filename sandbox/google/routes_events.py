"""HTTP routes of `calendars/{calendarId}/events…`: decode, call one use case, answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sandbox.google import errors, event_changes, event_listing, instance_listing
from sandbox.google.auth import CurrentAccount
from sandbox.google.backend import GoogleBackend
from sandbox.google.event_listing import ListRequest
from sandbox.google.http_io import JsonBody, json_response
from sandbox.google.times import zone

ConferenceVersion = Annotated[int, Query(alias="conferenceDataVersion", ge=0, le=1)]
TimeZone = Annotated[str | None, Query(alias="timeZone")]


async def list_request(
    single_events: Annotated[bool, Query(alias="singleEvents")] = False,
    show_deleted: Annotated[bool | None, Query(alias="showDeleted")] = None,
    time_min: Annotated[str | None, Query(alias="timeMin")] = None,
    time_max: Annotated[str | None, Query(alias="timeMax")] = None,
    updated_min: Annotated[str | None, Query(alias="updatedMin")] = None,
    q: str | None = None,
    ical_uid: Annotated[str | None, Query(alias="iCalUID")] = None,
    order_by: Annotated[str | None, Query(alias="orderBy")] = None,
    max_results: Annotated[int | None, Query(alias="maxResults")] = None,
    page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    sync_token: Annotated[str | None, Query(alias="syncToken")] = None,
    time_zone: TimeZone = None,
    private_property: Annotated[list[str] | None, Query(alias="privateExtendedProperty")] = None,
    shared_property: Annotated[list[str] | None, Query(alias="sharedExtendedProperty")] = None,
) -> ListRequest:
    """The query parameters of `events.list` (also `instances` and `watch`)."""
    return ListRequest(
        single_events=single_events,
        show_deleted=show_deleted,
        time_min=time_min,
        time_max=time_max,
        updated_min=updated_min,
        q=q,
        ical_uid=ical_uid,
        order_by=order_by,
        max_results=max_results,
        page_token=page_token,
        sync_token=sync_token,
        time_zone=time_zone,
        private_properties=tuple(private_property or ()),
        shared_properties=tuple(shared_property or ()),
    )


ListParams = Annotated[ListRequest, Depends(list_request)]


def events_router(backend: GoogleBackend, auth: Callable[..., Awaitable[None]]) -> APIRouter:
    router = APIRouter(route_class=errors.GoogleRoute, dependencies=[Depends(auth)])

    @router.get("/calendars/{calendar_id}/events")
    async def list_events(
        calendar_id: str, request: ListParams, account: CurrentAccount
    ) -> Response:
        return json_response(event_listing.list_events(backend, account, calendar_id, request))

    @router.post("/calendars/{calendar_id}/events")
    async def insert_event(
        calendar_id: str, body: JsonBody, account: CurrentAccount, version: ConferenceVersion = 0
    ) -> Response:
        event = event_changes.insert_event(backend, account, calendar_id, body, version)
        return json_response(event)

    @router.get("/calendars/{calendar_id}/events/{event_id}")
    async def get_event(
        calendar_id: str, event_id: str, account: CurrentAccount, time_zone: TimeZone = None
    ) -> Response:
        shown = zone(time_zone) if time_zone else None
        event = event_changes.get_event(backend, account, calendar_id, event_id, shown)
        return json_response(event)

    @router.patch("/calendars/{calendar_id}/events/{event_id}")
    async def patch_event(
        calendar_id: str,
        event_id: str,
        body: JsonBody,
        account: CurrentAccount,
        version: ConferenceVersion = 0,
    ) -> Response:
        event = event_changes.modify_event(
            backend, account, calendar_id, event_id, body, replace=False, conference_version=version
        )
        return json_response(event)

    @router.put("/calendars/{calendar_id}/events/{event_id}")
    async def update_event(
        calendar_id: str,
        event_id: str,
        body: JsonBody,
        account: CurrentAccount,
        version: ConferenceVersion = 0,
    ) -> Response:
        event = event_changes.modify_event(
            backend, account, calendar_id, event_id, body, replace=True, conference_version=version
        )
        return json_response(event)

    @router.delete("/calendars/{calendar_id}/events/{event_id}", status_code=204)
    async def delete_event(calendar_id: str, event_id: str, account: CurrentAccount) -> Response:
        event_changes.delete_event(backend, account, calendar_id, event_id)
        return Response(status_code=204)

    @router.get("/calendars/{calendar_id}/events/{event_id}/instances")
    async def list_instances(
        calendar_id: str,
        event_id: str,
        request: ListParams,
        account: CurrentAccount,
        original_start: Annotated[str | None, Query(alias="originalStart")] = None,
    ) -> Response:
        page = instance_listing.list_instances(
            backend, account, calendar_id, event_id, request, original_start
        )
        return json_response(page)

    return router
