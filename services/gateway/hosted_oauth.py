"""Hosted OAuth, the gateway's part: `POST /v1/calendars/authorize` keeps the client's request
under a fresh state (its hash) and returns the provider's consent URL, which the connector
builds with the project's app and a PKCE verifier it keeps; `GET /v1/oauth/callback` consumes
the state once and, through the calendar creation every calendar goes through, has the
connector exchange the code and register the credentials, then sends the browser back to the
client's `redirect_uri` with `calendar_id` (or `error`) and always the `state`, which the client
compares with the one it kept in the user's session (the state alone does not say which browser
follows the callback link).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.gateway import usecases
from services.gateway.connector_client import CodeNotExchanged, ConnectorClient
from services.gateway.domain.hosted_oauth import (
    client_redirect,
    expires_at,
    new_state,
    provider_error,
    state_digest,
)
from services.gateway.schemas import AuthorizationOut, AuthorizeCalendar, NewCalendarFields
from services.gateway.store import oauth_states
from services.gateway.store.oauth_states import PendingAuthorization

log = logging.getLogger(__name__)

# Expired flows are kept this long, so a late callback hears "expired" rather than "unknown".
_KEPT_AFTER_EXPIRY = timedelta(hours=1)


class InvalidState(Exception):
    """Raised when a callback's state names no live flow (missing, unknown, already used, or
    expired): where the browser should go is unknown then."""


@dataclass(frozen=True)
class Callback:
    """The provider's redirect to `/v1/oauth/callback` (RFC 6749 §4.1.2 and §4.1.2.1)."""

    state: str | None
    code: str | None
    error: str | None


async def start_authorization(
    pool: asyncpg.Pool[Any],
    connector: ConnectorClient,
    project_id: str,
    request: AuthorizeCalendar,
    now: datetime,
) -> AuthorizationOut:
    """A consent URL with a fresh state bound to the project. 409 for a deduplication key in
    use; the connector's 422 (no app for the provider) is passed on."""
    await usecases.check_deduplication_key(pool, project_id, request.deduplication_key)
    state = new_state()
    url = await connector.authorization_url(
        project_id=project_id,
        provider=request.provider,
        state=state,
        login_hint=request.login_hint,
    )
    pending = PendingAuthorization(
        project_id=project_id,
        provider=request.provider,
        redirect_uri=request.redirect_uri,
        platform_uuid=request.platform_uuid,
        metadata=request.metadata,
        deduplication_key=request.deduplication_key,
        sync_window=request.sync_window.model_dump(),
        expires_at=expires_at(now),
    )
    async with pool.acquire() as conn, conn.transaction():
        await oauth_states.delete_expired(conn, now - _KEPT_AFTER_EXPIRY)
        await oauth_states.insert_state(conn, state_digest(state), pending)
    return AuthorizationOut(authorization_url=url, state=state)


async def complete_authorization(
    pool: asyncpg.Pool[Any], connector: ConnectorClient, callback: Callback, now: datetime
) -> str:
    """Where the browser goes next: the client's `redirect_uri` with `calendar_id`, or with
    `error` (the provider's, `duplicate_calendar` with the existing `calendar_id`, or why the
    code was not exchanged), and the `state` in every case. Raises `InvalidState`."""
    if not callback.state:
        raise InvalidState("The callback has no state.")
    state = callback.state
    pending = await oauth_states.take_state(pool, state_digest(state))
    if pending is None:
        raise InvalidState("The state is unknown or was already used.")
    if pending.expires_at <= now:
        raise InvalidState("The authorization expired; start again.")
    if callback.error is not None or not callback.code:
        error = provider_error(callback.error) if callback.error else "invalid_request"
        return client_redirect(pending.redirect_uri, state, {"error": error})
    code = callback.code

    async def exchange_code(calendar_id: str) -> None:
        await connector.exchange_code(
            project_id=pending.project_id,
            provider=pending.provider,
            state=state,
            code=code,
            calendar_id=calendar_id,
            platform_uuid=pending.platform_uuid,
        )

    fields = NewCalendarFields.model_validate(
        {
            "platform_uuid": pending.platform_uuid,
            "metadata": pending.metadata,
            "deduplication_key": pending.deduplication_key,
            "sync_window": pending.sync_window,
        }
    )
    try:
        calendar_id = await usecases.create_calendar(
            pool, pending.project_id, pending.provider, fields, exchange_code
        )
    except usecases.DuplicateCalendar as duplicate:
        params = {"error": "duplicate_calendar", "calendar_id": duplicate.calendar_id}
        return client_redirect(pending.redirect_uri, state, params)
    except CodeNotExchanged as failed:
        log.info("hosted oauth code not exchanged", extra={"error": failed.error})
        return client_redirect(pending.redirect_uri, state, {"error": failed.error})
    return client_redirect(pending.redirect_uri, state, {"calendar_id": calendar_id})
