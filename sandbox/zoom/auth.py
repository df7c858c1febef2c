"""Bearer-token authentication for the Zoom API: who is calling (or 401 code 124), and whether the
token's scopes cover a call (or 400 code 4711). Classic scopes (`meeting:read`, `meeting:write`)
and granular ones (`meeting:read:list_meetings`, …) are both accepted
(https://developers.zoom.us/docs/integrations/oauth-scopes-overview/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from sandbox.world import Account, Identity
from sandbox.zoom import errors

# The scopes that allow each call: a granular scope, or a classic one covering it.
LIST_MEETINGS = ("meeting:read:list_meetings", "meeting:read", "meeting:write")
READ_MEETING = ("meeting:read:meeting", "meeting:read", "meeting:write")
CREATE_MEETING = ("meeting:write:meeting", "meeting:write")
UPDATE_MEETING = ("meeting:update:meeting", "meeting:write")
DELETE_MEETING = ("meeting:delete:meeting", "meeting:write")


@dataclass(frozen=True)
class Caller:
    account: Account
    scopes: frozenset[str]

    def require(self, allowed: tuple[str, ...]) -> None:
        """400 code 4711 naming the granular scope unless one of `allowed` was granted."""
        if not self.scopes.intersection(allowed):
            raise errors.missing_scopes(allowed[0])


def bearer_caller(identity: Identity) -> Callable[..., Awaitable[None]]:
    """A router dependency resolving `Authorization: Bearer <access token>` to a live account."""

    async def authenticate(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> None:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        account = identity.account_for_access_token("zoom", token) if token else None
        if scheme.lower() != "bearer" or account is None:
            raise errors.invalid_access_token()
        request.state.zoom_caller = Caller(account, identity.scopes_of_access_token("zoom", token))

    return authenticate


async def _current_caller(request: Request) -> Caller:
    caller: Caller = request.state.zoom_caller
    return caller


CurrentCaller = Annotated[Caller, Depends(_current_caller)]
