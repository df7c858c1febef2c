"""The envelope every internal message travels in, and the registry of payload types."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Payload(BaseModel):
    """Base of every message payload: frozen, named by `TYPE`. Unknown fields are ignored
    (tolerant reader), so a producer may add a field before every consumer knows it."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]

    def key(self) -> str:
        """The aggregate id the message is keyed (and so partitioned and ordered) by."""
        raise TypeError(f"{type(self).__name__} must define key()")


class Envelope(BaseModel):
    """Message id (inbox dedup), type, schema version, tenant, key, time, correlation, payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    project_id: str
    key: str
    correlation_id: str | None = None
    payload: dict[str, Any]


P = TypeVar("P", bound=Payload)

_REGISTRY: dict[str, type[Payload]] = {}


def register(model: type[P]) -> type[P]:
    """Class decorator: make `model` decodable from an envelope of its `TYPE`."""
    _REGISTRY[model.TYPE] = model
    return model


class UnknownMessageType(ValueError):
    """Raised when an envelope names a type no registered payload model has."""


def wrap(payload: Payload, project_id: str, correlation_id: str | None = None) -> Envelope:
    return Envelope(
        type=payload.TYPE,
        project_id=project_id,
        key=payload.key(),
        correlation_id=correlation_id,
        payload=payload.model_dump(mode="json"),
    )


def unwrap(envelope: Envelope) -> Payload:
    """Validate the payload against the model registered for the envelope's type."""
    model = _REGISTRY.get(envelope.type)
    if model is None:
        raise UnknownMessageType(envelope.type)
    # Validate as JSON, not as a Python dict: in JSON mode "2026-07-01" stays a `date` in a
    # `datetime | date` field, where dict validation would widen it to a naive midnight.
    return model.model_validate_json(json.dumps(envelope.payload))
