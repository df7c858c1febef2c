"""The `apple` provider against an iCloud look-alike in front of Radicale: discovery follows
the partition host, object hrefs on the entry host and the collection listed among its own
members are handled, and the Apple ID is the account's address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.connector.providers.apple import AppleProvider
from services.connector.providers.base import InvalidCredentials, InvalidCredentialsShape
from services.connector.providers.guarded_http import HttpLimits
from tests.icloud_proxy import FakeIcloud, running_fake_icloud
from tests.integration.connector.conftest import RadicaleCalendar
from tests.servers import Radicale

LIMITS = HttpLimits(allow_loopback=True, request_seconds=10, max_response_bytes=1 << 24)


@pytest.fixture
def icloud(radicale: Radicale) -> Iterator[FakeIcloud]:
    with running_fake_icloud(radicale.url) as fake:
        yield fake


async def test_discovery_and_sync_follow_the_partition_host(
    icloud: FakeIcloud, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Apple").create(2)
    provider = AppleProvider(LIMITS, 4, icloud.entry_url)
    credentials = provider.parse_credentials(
        {"apple_id": "alice", "app_specific_password": "alice-secret"}
    )

    found = await provider.discover(credentials, f"/alice/{calendar.cal_id}/")
    assert found.url == f"{icloud.partition_url}alice/{calendar.cal_id}/"
    first = await provider.fetch_changes(credentials, found.url, None)
    assert len(first.objects) == 2 and first.cursor
    assert all(o.provider_object_id.startswith(found.url) for o in first.objects)

    await calendar.edit(0, "Moved")
    later = await provider.fetch_changes(credentials, found.url, first.cursor)
    assert [o.data.count("SUMMARY:Moved") for o in later.objects] == [1]
    assert any(r.startswith("partition REPORT") for r in icloud.requests)


async def test_listing_marks_the_default_calendar_and_uses_the_apple_id(
    icloud: FakeIcloud, radicale: Radicale
) -> None:
    await RadicaleCalendar(radicale, "alice", "Listed").create(0)
    provider = AppleProvider(LIMITS, 4, icloud.entry_url)
    credentials = provider.parse_credentials(
        {"apple_id": "Alice@Example.com ", "app_specific_password": "x"}
    )
    assert provider.account_key(credentials) == "alice@example.com"
    with pytest.raises(InvalidCredentials):  # Radicale knows no such user
        await provider.list_calendars(credentials)

    credentials = provider.parse_credentials(
        {"apple_id": "alice", "app_specific_password": "alice-secret"}
    )
    listing = await provider.list_calendars(credentials)
    assert "Listed" in [c.name for c in listing.calendars]
    assert all(c.url.startswith(icloud.partition_url) for c in listing.calendars)


def test_apple_credentials_have_their_own_shape() -> None:
    provider = AppleProvider(LIMITS, 4)
    with pytest.raises(InvalidCredentialsShape) as caught:
        provider.parse_credentials({"url": "https://x/", "username": "a", "password": "b"})
    fields = {e["field"] for e in caught.value.errors}
    assert {
        "credentials.apple_id",
        "credentials.app_specific_password",
        "credentials.url",
    } <= fields
    assert (
        provider.server_urls(
            provider.parse_credentials({"apple_id": "a@b.c", "app_specific_password": "p"})
        )
        == ()
    )
