"""Request bodies and JSON responses as the Calendar API reads and writes them."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from sandbox.google import errors

JSON = "application/json; charset=UTF-8"


async def json_body(request: Request) -> Any:
    """The request's JSON body; 400 parseError when it is not JSON."""
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise errors.GoogleApiError(400, "parseError", "Parse Error") from None


JsonBody = Annotated[Any, Depends(json_body)]


def json_response(body: dict[str, Any] | str) -> Response:
    """A ready JSON text (listing pages) or a resource dict, with Google's content type."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return Response(text, media_type=JSON)
