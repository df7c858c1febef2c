"""Graph change-notification subscriptions on one calendar's events (providers.md §2.5): the
body that creates one, the body that renews it, and the expiry Graph answers with.

Changes and lifecycle notifications both go to the one receiver (`/v1/push/microsoft`), which
answers the validation handshake for each URL. `clientState` carries the channel id and its
token (`shared/push_tokens.py`), so the receiver verifies without our schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

CHANGE_TYPES = "created,updated,deleted"


def events_resource(calendar_id: str) -> str:
    """The resource naming the calendar's events; raises ValueError for an id that would
    name another path (Graph ids are base64-like and never hold these)."""
    if not calendar_id or any(c in calendar_id for c in "/?#"):
        raise ValueError("calendar id unfit for a subscription resource")
    return f"me/calendars/{calendar_id}/events"


def creation(
    calendar_id: str, address: str, client_state: str, expires: datetime
) -> dict[str, str]:
    """`POST /subscriptions`: created, updated and deleted events of the calendar, delivered
    (lifecycle notifications too) to `address` until `expires`."""
    return {
        "changeType": CHANGE_TYPES,
        "notificationUrl": address,
        "lifecycleNotificationUrl": address,
        "resource": events_resource(calendar_id),
        "expirationDateTime": graph_time(expires),
        "clientState": client_state,
    }


def renewal(expires: datetime) -> dict[str, str]:
    """`PATCH /subscriptions/{id}`: a new expiry (Graph re-authorizes the subscription too)."""
    return {"expirationDateTime": graph_time(expires)}


def expiry_of(subscription: Mapping[str, Any]) -> datetime:
    """The expiry of a subscription Graph answered with; raises ValueError without one."""
    value = subscription.get("expirationDateTime")
    if not isinstance(value, str):
        raise ValueError("no expirationDateTime")
    expires = datetime.fromisoformat(value)
    if expires.tzinfo is None:
        raise ValueError("expirationDateTime without a zone")
    return expires.astimezone(UTC)


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
