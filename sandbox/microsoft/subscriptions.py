"""Change-notification subscriptions (providers.md §2.5): create with the `validationToken`
handshake, renew, reauthorize, delete, expiry, change notifications and lifecycle events.

Resources: `me/events` (every calendar of the mailbox), `me/calendar/events` (the default one),
`me/calendars/{id}/events`, and the same under `users/{id or userPrincipalName}/`.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.microsoft import delivery, errors, identifiers, times
from sandbox.world import Account, FaultInjector

CHANGE_TYPES = ("created", "updated", "deleted")
LIFECYCLE_EVENTS = ("reauthorizationRequired", "missed", "subscriptionRemoved")
MAX_CLIENT_STATE = 128
_RESOURCE = re.compile(
    r"^/?(?:me|users/(?P<user>[^/]+))/(?:(?P<default>calendar)/|calendars/(?P<calendar>[^/]+)/)?"
    r"events/?$",
    re.IGNORECASE,
)


@dataclass
class Subscription:
    id: str
    account_id: str
    application_id: str
    resource: str
    calendar_id: str | None  # None: every calendar of the mailbox
    change_types: tuple[str, ...]
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expires: datetime
    needs_reauthorization: bool = False

    def covers(self, calendar_id: str, change_type: str) -> bool:
        in_scope = self.calendar_id is None or self.calendar_id == calendar_id
        return in_scope and change_type in self.change_types


@dataclass(frozen=True)
class Target:
    """What a subscription's `resource` names: the calendar (None: all) of one account."""

    calendar_id: str | None


class Subscriptions:
    """Live subscriptions and their notifications; safe from any thread."""

    def __init__(self, faults: FaultInjector, hub: delivery.Delivery) -> None:
        self._faults = faults
        self.hub = hub
        self._subscriptions: dict[str, Subscription] = {}
        self._lock = threading.Lock()

    def add(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions[subscription.id] = subscription

    def get(self, subscription_id: str, account_id: str | None, now: datetime) -> Subscription:
        """A live subscription (of `account_id`, unless None); 404 otherwise."""
        with self._lock:
            self._expire(now)
            found = self._subscriptions.get(subscription_id)
        if found is None or (account_id is not None and found.account_id != account_id):
            raise errors.GraphError(404, "ResourceNotFound", "The object was not found.")
        return found

    def of_account(self, account_id: str, now: datetime) -> list[Subscription]:
        with self._lock:
            self._expire(now)
            return [s for s in self._subscriptions.values() if s.account_id == account_id]

    def remove(self, subscription_id: str) -> None:
        with self._lock:
            self._subscriptions.pop(subscription_id, None)
        self.hub.close(subscription_id)
        self.hub.close(subscription_id + "/lifecycle")

    def reset(self) -> None:
        with self._lock:
            self._subscriptions.clear()
        self.hub.reset()

    def notify(
        self, account: Account, calendar_id: str, event_id: str, change_type: str, now: datetime
    ) -> None:
        """A change of `event_id`: a notification to each subscription covering it."""
        for subscription in self.of_account(account.id, now):
            if not subscription.covers(calendar_id, change_type):
                continue
            if self._faults.take_push_drop("microsoft"):
                continue
            item = change_notification(subscription, account, event_id, change_type)
            self.hub.send(subscription.id, subscription.notification_url, item)

    def lifecycle(self, subscription: Subscription, event: str) -> None:
        """Send a lifecycle notification; `subscriptionRemoved` also ends the subscription."""
        assert subscription.lifecycle_url is not None
        item = {
            "subscriptionId": subscription.id,
            "subscriptionExpirationDateTime": times.offset_stamp(subscription.expires),
            "tenantId": identifiers.TENANT_ID,
            "clientState": subscription.client_state,
            "lifecycleEvent": event,
        }
        if event == "reauthorizationRequired":
            subscription.needs_reauthorization = True
        if event == "subscriptionRemoved":
            with self._lock:
                self._subscriptions.pop(subscription.id, None)
            self.hub.close(subscription.id)
        self.hub.send(subscription.id + "/lifecycle", subscription.lifecycle_url, item)

    def _expire(self, now: datetime) -> None:
        """Forget expired subscriptions (call holding the lock)."""
        for gone in [s for s in self._subscriptions.values() if s.expires <= now]:
            del self._subscriptions[gone.id]
            self.hub.close(gone.id)
            self.hub.close(gone.id + "/lifecycle")


def change_notification(
    subscription: Subscription, account: Account, event_id: str, change_type: str
) -> dict[str, Any]:
    resource = f"Users/{identifiers.user_object_id(account.email)}/Events/{event_id}"
    return {
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": times.offset_stamp(subscription.expires),
        "changeType": change_type,
        "resource": resource,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Event",
            "@odata.id": resource,
            "@odata.etag": f'W/"{identifiers.new_change_key()}"',
            "id": event_id,
        },
        "clientState": subscription.client_state,
        "tenantId": identifiers.TENANT_ID,
    }


def parse_resource(resource: str, account: Account) -> Target:
    """What `resource` names; 400 for a resource the emulation has no notifications for, 403
    for another user's mailbox."""
    found = _RESOURCE.match(resource.split("?", 1)[0].strip())
    if found is None:
        raise errors.bad_request(
            f"Resource '{resource}' is not supported: the sandbox notifies on events "
            "(me/events, me/calendar/events, me/calendars/{id}/events)."
        )
    user = found.group("user")
    mine = {account.email.lower(), identifiers.user_object_id(account.email)}
    if user is not None and user.lower() not in mine:
        raise errors.access_denied()
    if found.group("default"):
        return Target("default")
    return Target(found.group("calendar"))


def parse_change_types(value: Any) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in str(value or "").split(",") if k.strip())
    if not kinds or any(k not in CHANGE_TYPES for k in kinds):
        raise errors.bad_request(
            f"Invalid changeType '{value}': use a comma-separated list of created, updated and "
            "deleted.",
            code="InvalidRequest",
        )
    return kinds


def check_expiration(value: Any, now: datetime, max_minutes: int) -> datetime:
    """The requested expiry; 400 ExtensionError past the cap (providers.md §2.5)."""
    try:
        expires = times.parse_query_time(str(value), "expirationDateTime")
    except errors.GraphError:
        raise errors.bad_request(
            "expirationDateTime is required and must be a date-time.", code="InvalidRequest"
        ) from None
    if expires <= now:
        raise errors.bad_request(
            "Subscription expiration must be in the future.", code="ExtensionError"
        )
    if expires > now + timedelta(minutes=max_minutes):
        raise errors.bad_request(
            f"Subscription expiration can only be {max_minutes} minutes in the future.",
            code="ExtensionError",
        )
    return expires


def check_client_state(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_CLIENT_STATE:
        raise errors.bad_request(
            f"clientState must be a string of at most {MAX_CLIENT_STATE} characters.",
            code="InvalidRequest",
        )
    return value


def new_id() -> str:
    return str(uuid.uuid4())


def subscription_json(subscription: Subscription, creator_id: str) -> dict[str, Any]:
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
        "id": subscription.id,
        "resource": subscription.resource,
        "applicationId": subscription.application_id,
        "changeType": ",".join(subscription.change_types),
        "clientState": subscription.client_state,
        "notificationUrl": subscription.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": subscription.lifecycle_url,
        "expirationDateTime": times.utc_stamp(subscription.expires),
        "creatorId": creator_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": "v1_2",
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
    }
