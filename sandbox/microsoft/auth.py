"""Who is calling Graph: `Authorization: Bearer <access token>` resolved to a live account, and
whether the token's scopes cover the call (Calendars.Read for reading calendars, Calendars.ReadWrite
for writing, User.Read for `/me`), else 401 `InvalidAuthenticationToken` / 403 `ErrorAccessDenied`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from sandbox.microsoft import errors, scopes
from sandbox.world import Account, Identity

PROVIDER = "microsoft"
WRITES = ("POST", "PATCH", "PUT", "DELETE")

Authenticator = Callable[[Request], Account]


def bearer_authenticator(identity: Identity, api_prefix: str) -> Authenticator:
    """Reads the bearer token of a request under `api_prefix` (`/microsoft/v1.0`)."""

    def authenticate(request: Request) -> Account:
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise errors.invalid_token("Access token is empty.")
        account = identity.account_for_access_token(PROVIDER, token)
        if account is None:
            raise errors.invalid_token()
        granted = identity.scopes_of_access_token(PROVIDER, token)
        path = request.url.path.removeprefix(api_prefix)
        if not scopes.allows(granted, path, writes=request.method in WRITES):
            raise errors.access_denied()
        return account

    return authenticate


async def _current_account(request: Request) -> Account:
    account: Account = request.state.microsoft_account
    return account


CurrentAccount = Annotated[Account, Depends(_current_account)]
