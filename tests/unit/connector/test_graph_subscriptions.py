"""Graph subscription bodies and answers: the calendar's events, every change type, both
notification URLs, the expiry in UTC; Graph's seven-digit expiry read back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.connector.domain import graph_subscriptions, push

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
ADDRESS = "https://rollcall.example/v1/push/microsoft"


def test_a_subscription_covers_every_change_of_the_calendars_events_for_both_urls() -> None:
    expires = NOW + push.SUBSCRIPTION_TTL
    body = graph_subscriptions.creation("AAMkAGI2=", ADDRESS, "cal_1.ab.tok", expires)
    assert body == {
        "changeType": "created,updated,deleted",
        "notificationUrl": ADDRESS,
        "lifecycleNotificationUrl": ADDRESS,
        "resource": "me/calendars/AAMkAGI2=/events",
        "expirationDateTime": "2030-01-04T10:00:00Z",
        "clientState": "cal_1.ab.tok",
    }


def test_the_lifetime_is_under_both_of_graphs_documented_caps() -> None:
    assert push.SUBSCRIPTION_TTL < timedelta(minutes=4230) < timedelta(minutes=10070)
    assert push.SUBSCRIPTION_TTL > push.RENEW_BEFORE * 2  # renewed at most every day or so


def test_a_renewal_names_only_the_new_expiry_in_utc() -> None:
    paris = datetime(2030, 1, 4, 11, tzinfo=timezone(timedelta(hours=1)))
    assert graph_subscriptions.renewal(paris) == {"expirationDateTime": "2030-01-04T10:00:00Z"}


@pytest.mark.parametrize("calendar_id", ["", "a/b", "a?b", "a#b"])
def test_ids_that_would_name_another_resource_are_refused(calendar_id: str) -> None:
    with pytest.raises(ValueError):
        graph_subscriptions.events_resource(calendar_id)


def test_graphs_expiry_is_read_in_utc_and_a_missing_or_naive_one_refused() -> None:
    answer = {"expirationDateTime": "2030-01-04T10:00:00.1234567Z"}
    expires = graph_subscriptions.expiry_of(answer)
    assert expires.tzinfo is not None
    assert expires.replace(microsecond=0) == datetime(2030, 1, 4, 10, tzinfo=UTC)
    for bad in ({}, {"expirationDateTime": 5}, {"expirationDateTime": "2030-01-04T10:00:00"}):
        with pytest.raises(ValueError):
            graph_subscriptions.expiry_of(bad)
