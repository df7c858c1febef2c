"""When a calendar needs a new push channel, and how often a calendar with one is polled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.connector.domain.push import (
    OpenChannel,
    announced,
    needs_new_channel,
    poll_delay,
    stop_retry_delay,
)

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
POLL, RECONCILE = timedelta(minutes=5), timedelta(hours=6)


def _channel(expires_in: timedelta) -> OpenChannel:
    return OpenChannel("cal_1.ab", "res", NOW + expires_in)


def test_a_channel_is_opened_when_missing_and_renewed_a_day_before_expiry() -> None:
    assert needs_new_channel(None, NOW)
    assert not needs_new_channel(_channel(timedelta(days=6)), NOW)
    assert not needs_new_channel(_channel(timedelta(days=1, seconds=1)), NOW)
    assert needs_new_channel(_channel(timedelta(days=1)), NOW)
    assert needs_new_channel(_channel(timedelta(hours=2)), NOW)
    assert needs_new_channel(_channel(-timedelta(hours=2)), NOW)


def test_a_channel_the_provider_wants_renewed_is_renewed_whatever_its_expiry() -> None:
    asked = replace(_channel(timedelta(days=6)), renew_requested=True)
    assert needs_new_channel(asked, NOW)
    assert poll_delay("google", asked, NOW, POLL, RECONCILE) == RECONCILE  # still live meanwhile


def test_a_live_channel_means_reconcile_polling_but_never_past_its_expiry() -> None:
    assert poll_delay("google", None, NOW, POLL, RECONCILE) == POLL
    assert poll_delay("google", _channel(timedelta(days=6)), NOW, POLL, RECONCILE) == RECONCILE
    assert poll_delay("google", _channel(timedelta(hours=2)), NOW, POLL, RECONCILE) == timedelta(
        hours=2
    )
    assert poll_delay("google", _channel(timedelta(minutes=1)), NOW, POLL, RECONCILE) == POLL
    assert poll_delay("google", _channel(-timedelta(minutes=1)), NOW, POLL, RECONCILE) == POLL


def test_zoom_webhooks_speed_syncs_up_but_never_replace_polling() -> None:
    live = _channel(timedelta(hours=70))
    assert poll_delay("microsoft", live, NOW, POLL, RECONCILE) == RECONCILE
    assert poll_delay("zoom", live, NOW, POLL, RECONCILE) == POLL
    shown = announced("zoom", live)
    assert shown is not None and shown.kind == "zoom_webhook"


def test_only_known_kinds_are_announced() -> None:
    channel = _channel(timedelta(days=6))
    shown = announced("google", channel)
    assert shown is not None and (shown.kind, shown.expires_at) == (
        "google_watch",
        NOW + timedelta(days=6),
    )
    assert announced("google", None) is None
    assert announced("caldav", channel) is None
    graph = announced("microsoft", channel)
    assert graph is not None and graph.kind == "microsoft_subscription"


def test_failed_stops_back_off_linearly() -> None:
    assert stop_retry_delay(1) < stop_retry_delay(3)
