"""Zoom webhook deliveries, checked for the gateway's receiver (`POST /v1/push/zoom`): the
secret tokens are project credentials kept here, so the gateway hands over the delivery and
gets back whose it is, the challenge answer, and which calendars to hint.

Zoom webhooks belong to the app, not to a calendar: a verified meeting event for a calendar's
host is what shows they reach it, so it records the webhook as the calendar's push channel for
72 h (`calendars.state` shows `push {kind: zoom_webhook}`); each new verified event extends
that. Polling goes on regardless (`push.REPLACES_POLLING`): an edit names whoever made it, not
the host, and the tenant's app may not subscribe to every meeting event.

Every project's Zoom webhook secret is tried against the signature (one receiver URL serves
every tenant's Zoom app); the opened secrets are kept until some project's apps change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.connector import store
from services.connector.domain import zoom_webhooks
from services.connector.domain.connections import state_changed
from services.connector.domain.zoom_webhooks import Delivery, ProjectSecret
from shared.db import types as db
from shared.messaging import outbox

log = logging.getLogger(__name__)

WebhookSecrets = Callable[[db.Connection], Awaitable[list[ProjectSecret]]]
Stamp = Callable[[db.Connection], Awaitable[int]]


class SecretCache:
    """Every project's Zoom webhook secret, opened again only when some project's apps changed
    (one cheap stamp query per delivery instead of opening every secret: a flood of forged
    deliveries costs a query and one HMAC per project each)."""

    def __init__(self, load: WebhookSecrets, stamp: Stamp) -> None:
        self._load = load
        self._stamp = stamp
        self._seen: int | None = None
        self._secrets: list[ProjectSecret] = []

    async def secrets(self, conn: db.Connection) -> list[ProjectSecret]:
        stamp = await self._stamp(conn)
        if stamp != self._seen:
            # A change committed between the two reads is loaded with the older stamp: the
            # next delivery just loads again.
            self._secrets = await self._load(conn)
            self._seen = stamp
        return self._secrets


class NotSigned(Exception):
    """Raised when no project's secret signed the delivery (or its timestamp is stale)."""


@dataclass(frozen=True)
class Received:
    """A verified delivery: the challenge answer, or the calendars to sync."""

    project_ids: list[str]
    validation: dict[str, str] | None
    calendar_ids: list[str]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ZoomWebhookReceiver:
    pool: Callable[[], asyncpg.Pool[Any]]
    secrets: SecretCache
    clock: Callable[[], datetime] = field(default=_utc_now)

    async def receive(self, delivery: Delivery) -> Received:
        """Raises `NotSigned`, or `zoom_webhooks.InvalidDelivery` for a signed body that is
        not Zoom's JSON."""
        async with self.pool().acquire() as conn:
            known = await self.secrets.secrets(conn)
            projects = zoom_webhooks.signers(delivery, known, self.clock())
            if not projects:
                raise NotSigned
            notice = zoom_webhooks.read(delivery.body)
            if notice.plain_token is not None:
                secret = next(entry.secret for entry in known if entry.project_id == projects[0])
                answer = zoom_webhooks.validation_answer(secret, notice.plain_token)
                return Received(projects, answer, [])
            async with conn.transaction():
                calendars = await store.zoom_calendars(
                    conn, projects, list(notice.user_ids), list(notice.emails)
                )
                await self._webhook_live(conn, calendars)
        log.info(
            "zoom webhook received",
            extra={"event": notice.event, "projects": len(projects), "calendars": len(calendars)},
        )
        return Received(projects, None, calendars)

    async def _webhook_live(self, conn: db.Connection, calendar_ids: list[str]) -> None:
        """The calendars' meetings come by webhook: their push is live for a while, which
        `calendars.state` announces."""
        if not calendar_ids:
            return
        until = self.clock() + zoom_webhooks.WEBHOOK_LIVE_FOR
        renewed = await store.mark_webhook_push(
            conn, calendar_ids, until, until - zoom_webhooks.WEBHOOK_RENEW_EVERY
        )
        for connection in renewed:
            await outbox.enqueue(conn, state_changed(connection), connection.project_id)
