"""Bearer-token authentication for the Calendar API: who is calling, or 401 `authError`.

The router runs `bearer_account(...)` before every route; routes read the caller through
`CurrentAccount`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from sandbox.google import errors
from sandbox.world import Account, Identity

_SCOPE = "https://www.googleapis.com/auth/calendar"
# The Calendar API's OAuth scopes: https://developers.google.com/calendar/api/auth
WRITE_SCOPES = frozenset({_SCOPE, f"{_SCOPE}.events"})
READ_SCOPES = WRITE_SCOPES | {f"{_SCOPE}.readonly", f"{_SCOPE}.events.readonly"}


def bearer_account(identity: Identity) -> Callable[..., Awaitable[None]]:
    """A router dependency resolving `Authorization: Bearer <access token>` to a live account."""

    async def authenticate(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> None:
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.auth_error()
        account = identity.account_for_access_token("google", token.strip())
        if account is None:
            raise errors.auth_error()
        scopes = identity.scopes_of_access_token("google", token.strip())
        needed = WRITE_SCOPES if _writes(request) else READ_SCOPES
        if not scopes & needed:
            raise errors.insufficient_permissions()
        request.state.google_account = account

    return authenticate


def _writes(request: Request) -> bool:
    """Changes a calendar: PATCH/PUT/DELETE, and POST except watch and channels.stop."""
    if request.method in ("PATCH", "PUT", "DELETE"):
        return True
    path = request.url.path
    return request.method == "POST" and not path.endswith(("/watch", "/channels/stop"))


async def _current_account(request: Request) -> Account:
    account: Account = request.state.google_account
    return account


CurrentAccount = Annotated[Account, Depends(_current_account)]
