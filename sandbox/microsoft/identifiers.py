"""Graph-shaped identifiers: event and calendar ids (`AAMkAD…`), occurrence ids that carry their
series master and original start, `iCalUId`s, change keys, and the directory ids (tenant, user
object id) that Entra tokens and change notifications mention.

Real ids are opaque base64 blobs; the sandbox's are too, but an occurrence id decodes to its
master's id and original start, so `GET /me/events/{occurrenceId}` needs no stored row.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import struct
import uuid
from datetime import UTC, datetime

EVENT_PREFIX = "AAMkAD"
CALENDAR_PREFIX = "AAMkAGI"
# One directory for every sandbox user (a real tenant id is a GUID like this one).
TENANT_ID = "5f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
_NAMESPACE = uuid.UUID("8d0c4a56-3f3e-4a8e-9a57-0f4b6b1c2d3e")
_MASTER_BYTES = 18
# Outlook's GlobalObjectId (iCalUId) header; bytes 16-19 hold an instance's date (0 on a series).
_ICAL_HEADER = "040000008200E00074C5B7101A82E008"


def new_key(basis: str | None = None) -> bytes:
    """The raw key of a stored event: random, or derived from `basis` (seeded data)."""
    if basis is None:
        return secrets.token_bytes(_MASTER_BYTES)
    return hashlib.sha256(basis.encode()).digest()[:_MASTER_BYTES]


def event_id(key: bytes) -> str:
    return EVENT_PREFIX + base64.urlsafe_b64encode(key).decode()


def calendar_id(basis: str) -> str:
    digest = hashlib.sha256(f"calendar:{basis}".encode()).digest()[:_MASTER_BYTES]
    return CALENDAR_PREFIX + base64.urlsafe_b64encode(digest).decode()


def occurrence_id(master_id: str, original_start: datetime) -> str:
    """The id of the instance of `master_id` originally starting at `original_start`."""
    key = _key_of(master_id)
    assert key is not None
    stamp = struct.pack(">q", int(original_start.timestamp()))
    return EVENT_PREFIX + base64.urlsafe_b64encode(key + stamp).decode()


def split_occurrence_id(value: str) -> tuple[str, datetime] | None:
    """(master id, original start) of an occurrence id; None for any other string."""
    raw = _raw(value)
    if raw is None or len(raw) != _MASTER_BYTES + 8:
        return None
    (seconds,) = struct.unpack(">q", raw[_MASTER_BYTES:])
    try:
        original = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return event_id(raw[:_MASTER_BYTES]), original


def _key_of(value: str) -> bytes | None:
    raw = _raw(value)
    return raw if raw is not None and len(raw) == _MASTER_BYTES else None


def _raw(value: str) -> bytes | None:
    if not value.startswith(EVENT_PREFIX):
        return None
    try:
        return base64.urlsafe_b64decode(value[len(EVENT_PREFIX) :].encode())
    except (binascii.Error, ValueError):
        return None


def ical_uid(master_key_hex: str, instance_day: datetime | None = None) -> str:
    """`040000008200E00074C5B7101A82E008` + instance date (YYYY MM DD, 0 for a series) + key."""
    day = "00000000"
    if instance_day is not None:
        day = f"{instance_day.year:04X}{instance_day.month:02X}{instance_day.day:02X}"
    return f"{_ICAL_HEADER}{day}{master_key_hex.upper()}"


def new_change_key() -> str:
    """Changes on every write; also the `@odata.etag` (`W/"<changeKey>"`)."""
    return base64.b64encode(secrets.token_bytes(12)).decode()


def user_object_id(email: str) -> str:
    """The user's directory object id (`oid`), stable for an email across restarts."""
    return str(uuid.uuid5(_NAMESPACE, email.lower()))


def trace_id() -> str:
    return str(uuid.uuid4())
