"""Use cases of `/subscriptions`: create (after the validation handshake), list, get, renew
(PATCH), reauthorize and delete, and the admin's lifecycle notifications."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sandbox import push_targets
from sandbox.microsoft import errors, identifiers, subscriptions, validation
from sandbox.microsoft.subscriptions import Subscription
from sandbox.world import Account

if TYPE_CHECKING:
    from sandbox.microsoft.backend import MicrosoftBackend


async def create(backend: MicrosoftBackend, account: Account, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object.", code="InvalidRequest")
    resource = body.get("resource")
    url = body.get("notificationUrl")
    if not isinstance(resource, str) or not isinstance(url, str):
        raise errors.bad_request(
            "resource and notificationUrl are required.", code="InvalidRequest"
        )
    lifecycle_url = body.get("lifecycleNotificationUrl")
    allow_private = backend.settings.allow_private_push_addresses
    for address in (url, lifecycle_url if isinstance(lifecycle_url, str) else None):
        problem = address and push_targets.address_problem(address, allow_private=allow_private)
        if problem:
            raise errors.bad_request(f"Invalid notification URL, {problem}", code="InvalidRequest")
    target = subscriptions.parse_resource(resource, account)
    with backend.lock:
        calendar_id = target.calendar_id
        if calendar_id is not None:
            calendar_id = backend.calendar_for(
                account, None if calendar_id == "default" else calendar_id
            ).id
        now = backend.now()
    subscription = Subscription(
        id=subscriptions.new_id(),
        account_id=account.id,
        application_id=backend.application_id(account),
        resource=resource,
        calendar_id=calendar_id,
        change_types=subscriptions.parse_change_types(body.get("changeType")),
        notification_url=url,
        lifecycle_url=lifecycle_url if isinstance(lifecycle_url, str) else None,
        client_state=subscriptions.check_client_state(body.get("clientState")),
        expires=subscriptions.check_expiration(
            body.get("expirationDateTime"), now, backend.settings.microsoft_subscription_max_minutes
        ),
    )
    await validation.check_endpoint(url)
    if subscription.lifecycle_url is not None:
        await validation.check_endpoint(subscription.lifecycle_url)
    backend.subscriptions.hub.bind(asyncio.get_running_loop())
    backend.subscriptions.add(subscription)
    return _json(subscription, account)


def list_all(backend: MicrosoftBackend, account: Account) -> dict[str, Any]:
    found = backend.subscriptions.of_account(account.id, backend.now())
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions",
        "value": [_json(s, account) for s in found],
    }


def get(backend: MicrosoftBackend, account: Account, subscription_id: str) -> dict[str, Any]:
    return _json(backend.subscriptions.get(subscription_id, account.id, backend.now()), account)


def renew(
    backend: MicrosoftBackend, account: Account, subscription_id: str, body: Any
) -> dict[str, Any]:
    """PATCH: a new expiry (capped as on create); it also reauthorizes (providers.md §2.5)."""
    now = backend.now()
    subscription = backend.subscriptions.get(subscription_id, account.id, now)
    if not isinstance(body, dict) or "expirationDateTime" not in body:
        raise errors.bad_request("expirationDateTime is required.", code="InvalidRequest")
    subscription.expires = subscriptions.check_expiration(
        body["expirationDateTime"], now, backend.settings.microsoft_subscription_max_minutes
    )
    subscription.needs_reauthorization = False
    return _json(subscription, account)


def reauthorize(backend: MicrosoftBackend, account: Account, subscription_id: str) -> None:
    subscription = backend.subscriptions.get(subscription_id, account.id, backend.now())
    subscription.needs_reauthorization = False


def delete(backend: MicrosoftBackend, account: Account, subscription_id: str) -> None:
    subscription = backend.subscriptions.get(subscription_id, account.id, backend.now())
    backend.subscriptions.remove(subscription.id)


def send_lifecycle(backend: MicrosoftBackend, subscription_id: str, event: str) -> Subscription:
    """The admin's lifecycle notification; raises LookupError / ValueError for the admin route."""
    try:
        subscription = backend.subscriptions.get(subscription_id, None, backend.now())
    except errors.GraphError:
        raise LookupError(subscription_id) from None
    if event not in subscriptions.LIFECYCLE_EVENTS:
        raise ValueError(f"event must be one of {', '.join(subscriptions.LIFECYCLE_EVENTS)}")
    if subscription.lifecycle_url is None:
        raise ValueError("the subscription has no lifecycleNotificationUrl")
    backend.subscriptions.lifecycle(subscription, event)
    return subscription


def _json(subscription: Subscription, account: Account) -> dict[str, Any]:
    return subscriptions.subscription_json(subscription, identifiers.user_object_id(account.email))
