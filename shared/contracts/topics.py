"""Kafka topic names: calendar topics are keyed by calendar id, `bots.join` by meeting key."""

from __future__ import annotations

CONNECTIONS_COMMANDS = "connections.commands"
SYNC_HINTS = "sync.hints"
CALENDARS_STATE = "calendars.state"
PROVIDER_CHANGES = "provider.changes"
EVENTS_CHANGED = "events.changed"
BOTS_COMMANDS = "bots.commands"
BOTS_CHANGED = "bots.changed"
BOTS_JOIN = "bots.join"

ALL = (
    CONNECTIONS_COMMANDS,
    SYNC_HINTS,
    CALENDARS_STATE,
    PROVIDER_CHANGES,
    EVENTS_CHANGED,
    BOTS_COMMANDS,
    BOTS_CHANGED,
    BOTS_JOIN,
)

DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter(topic: str) -> str:
    """The dead-letter topic for messages of `topic` that exhausted their retries."""
    return topic + DEAD_LETTER_SUFFIX


def all_with_dead_letters() -> tuple[str, ...]:
    return ALL + tuple(dead_letter(t) for t in ALL)
