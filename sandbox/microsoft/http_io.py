"""What Graph routes read from a request and how they answer: JSON bodies, `Prefer` headers,
paging options and time windows, and JSON responses with `Preference-Applied`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from sandbox.microsoft import errors, paging, prefer, times
from sandbox.microsoft.instances import Window
from sandbox.microsoft.prefer import Preferences

JSON = (
    "application/json; odata.metadata=minimal; odata.streaming=true; "
    "IEEE754Compatible=false; charset=utf-8"
)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise errors.GraphError(
            400, "RequestBodyRead", "Invalid JSON. A token was not recognized in the JSON content."
        ) from None


async def preferences(request: Request) -> Preferences:
    return prefer.read(request.headers.getlist("prefer"))


async def page_request(
    request: Request,
    prefs: Annotated[Preferences, Depends(preferences)],
    top: Annotated[int | None, Query(alias="$top")] = None,
    skip: Annotated[int | None, Query(alias="$skip")] = None,
) -> paging.PageRequest:
    url = str(request.url.replace(query=""))
    return paging.page_request(
        url, request.query_params.multi_items(), top, skip, prefs.max_page_size
    )


async def window(
    start: Annotated[str | None, Query(alias="startDateTime")] = None,
    end: Annotated[str | None, Query(alias="endDateTime")] = None,
) -> Window:
    low = times.parse_query_time(start, "startDateTime")
    high = times.parse_query_time(end, "endDateTime")
    if high <= low:
        raise errors.bad_request("endDateTime must be after startDateTime.")
    return Window(low, high)


async def selected(select: Annotated[str | None, Query(alias="$select")] = None) -> list[str]:
    return [name.strip() for name in (select or "").split(",") if name.strip()]


JsonBody = Annotated[Any, Depends(json_body)]
Prefs = Annotated[Preferences, Depends(preferences)]
Page = Annotated[paging.PageRequest, Depends(page_request)]
TimeWindow = Annotated[Window, Depends(window)]
Select = Annotated[list[str], Depends(selected)]


def json_response(
    body: dict[str, Any], prefs: Preferences | None = None, status: int = 200
) -> Response:
    headers = prefs.applied() if prefs else {}
    return Response(json.dumps(body, ensure_ascii=False), status, headers, media_type=JSON)
