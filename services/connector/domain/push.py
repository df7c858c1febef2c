"""Push channels: when a calendar needs a new one, and how often a calendar with one is polled.

A Google watch channel cannot be extended: before it expires a new one is opened (overlap is
fine, a notification only hints a sync) and the old one stopped. A Graph subscription is
extended in place (PATCH, which also re-authorizes it), also when Graph asks for
re-authorization before its expiry (`renew_requested`). Push is lossy, so a calendar
with a live channel is still synced every reconcile interval, and never later than its
channel's expiry (should renewal fail, polling takes over from there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.contracts.calendars import PushChannel

# Renew a channel this long before it expires (channels live a week by default, §1.9).
RENEW_BEFORE = timedelta(days=1)
# Ask providers for channels of this lifetime (Google's default and maximum for events).
CHANNEL_TTL = timedelta(days=7)
# Graph subscriptions on events: live Graph caps them at 10,070 minutes, older documentation
# (and maybe some clouds) at 4,230 (providers.md §2.5). 70 hours is under both, so a tenant
# with the older cap still gets push; renewal is one cheap PATCH, about every 46 hours.
SUBSCRIPTION_TTL = timedelta(hours=70)
# After a failed stop, try again after attempt times this; give up after STOP_ATTEMPTS.
STOP_RETRY = timedelta(minutes=5)
STOP_ATTEMPTS = 5

# Providers whose channels report every change of the one calendar they watch, so a calendar
# with a live one is reconciled rather than polled. Zoom's webhooks belong to the app: they
# cover the events the tenant subscribed it to and name a meeting's host only on some events
# (an edit names whoever made it), so they speed syncs up but never replace polling.
REPLACES_POLLING = frozenset({"google", "microsoft"})

PUSH_KINDS = {
    "google": "google_watch",
    "microsoft": "microsoft_subscription",
    "zoom": "zoom_webhook",
}


@dataclass(frozen=True)
class OpenChannel:
    """The push channel a calendar has open at its provider (`resource_id`: Google's resource
    id, Graph's subscription id); `renew_requested` when the provider asked for a renewal."""

    channel_id: str
    resource_id: str
    expires_at: datetime
    renew_requested: bool = False


def live(channel: OpenChannel | None, now: datetime) -> bool:
    return channel is not None and channel.expires_at > now


def needs_new_channel(
    channel: OpenChannel | None, now: datetime, renew_before: timedelta = RENEW_BEFORE
) -> bool:
    """No channel, one expiring within `renew_before`, or one the provider wants renewed."""
    if channel is None or channel.renew_requested:
        return True
    return channel.expires_at - renew_before <= now


def poll_delay(
    provider: str,
    channel: OpenChannel | None,
    now: datetime,
    poll: timedelta,
    reconcile: timedelta,
) -> timedelta:
    """Until the next sync without a hint: the poll interval without a live channel (or one
    that does not replace polling); with one, the reconcile interval, but not past the
    channel's expiry."""
    if provider not in REPLACES_POLLING or channel is None or not live(channel, now):
        return poll
    return max(poll, min(reconcile, channel.expires_at - now))


def announced(provider: str, channel: OpenChannel | None) -> PushChannel | None:
    """What `calendars.state` says of the channel."""
    kind = PUSH_KINDS.get(provider)
    if channel is None or kind is None:
        return None
    return PushChannel(kind=kind, expires_at=channel.expires_at)


def stop_retry_delay(attempts: int) -> timedelta:
    return STOP_RETRY * max(1, attempts)
