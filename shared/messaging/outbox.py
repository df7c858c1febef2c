"""Transactional outbox: enqueue a message in the caller's database transaction."""

from __future__ import annotations

from collections.abc import Sequence

from shared.contracts.envelope import Envelope, Payload, wrap
from shared.db.types import Connection
from shared.logging import correlation_id

_INSERT = (
    "INSERT INTO outbox (message_id, topic, key, envelope) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (message_id) DO NOTHING"
)


async def enqueue_envelope(conn: Connection, topic: str, envelope: Envelope) -> None:
    """Store `envelope` for publication once the caller's transaction commits."""
    await conn.execute(
        _INSERT,
        envelope.message_id,
        topic,
        envelope.key,
        envelope.model_dump(mode="json"),
    )
    await _wake_relay(conn)


async def enqueue(conn: Connection, payload: Payload, project_id: str) -> Envelope:
    """Wrap `payload` in an envelope keyed by its aggregate and enqueue it on its topic."""
    envelope = wrap(payload, project_id, correlation_id.get())
    await enqueue_envelope(conn, payload.TOPIC, envelope)
    return envelope


async def enqueue_all(
    conn: Connection, payloads: Sequence[Payload], project_id: str
) -> list[Envelope]:
    """`enqueue` for many payloads at once (one statement, one wake-up), in their order."""
    envelopes = [wrap(payload, project_id, correlation_id.get()) for payload in payloads]
    if not envelopes:
        return envelopes
    await conn.executemany(
        _INSERT,
        [
            (e.message_id, p.TOPIC, e.key, e.model_dump(mode="json"))
            for p, e in zip(payloads, envelopes, strict=True)
        ],
    )
    await _wake_relay(conn)
    return envelopes


async def _wake_relay(conn: Connection) -> None:
    # Delivered on commit only; wakes the relay without waiting for its idle poll.
    await conn.execute("SELECT pg_notify('outbox_' || current_schema(), '')")
