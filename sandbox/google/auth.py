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
        request.state.google_account = account

    return authenticate


async def _current_account(request: Request) -> Account:
    account: Account = request.state.google_account
    return account


CurrentAccount = Annotated[Account, Depends(_current_account)]
