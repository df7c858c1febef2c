"""Paging one sync's changes into message-sized `ProviderChangesFetched` pages."""

from __future__ import annotations

from services.connector.domain.paging import changes_messages, encoded_size, split_pages
from shared.contracts.provider import ProviderObject


def _object(number: int, size: int) -> ProviderObject:
    return ProviderObject(
        provider_object_id=f"/cal/{number}.ics", etag=f'"{number}"', format="ical", data="x" * size
    )


def test_an_empty_sync_still_has_one_page() -> None:
    paging = split_pages([], [])
    assert len(paging.pages) == 1
    assert paging.pages[0].objects == [] and paging.pages[0].removed == []


def test_pages_stay_under_the_budget() -> None:
    objects = [_object(n, 100_000) for n in range(12)]
    paging = split_pages(objects, [f"/cal/gone-{n}.ics" for n in range(3)], page_bytes=500_000)
    assert len(paging.pages) == 3
    assert all(page.size <= 500_000 for page in paging.pages)
    listed = [o for page in paging.pages for o in page.objects]
    assert listed == objects
    assert [r for page in paging.pages for r in page.removed] == [
        "/cal/gone-0.ics",
        "/cal/gone-1.ics",
        "/cal/gone-2.ics",
    ]


def test_sizes_count_json_escaping() -> None:
    plain = _object(1, 1000)
    escaped = ProviderObject(
        provider_object_id="/cal/1.ics", etag='"1"', format="ical", data="\r\n" * 500
    )
    assert encoded_size(escaped) > encoded_size(plain)


def test_a_large_object_fills_a_page_alone() -> None:
    objects = [_object(1, 10), _object(2, 600_000), _object(3, 10)]
    paging = split_pages(objects, [], page_bytes=500_000)
    assert [[o.provider_object_id for o in p.objects] for p in paging.pages] == [
        ["/cal/1.ics"],
        ["/cal/2.ics"],
        ["/cal/3.ics"],
    ]


def test_an_object_too_large_for_any_message_is_set_aside() -> None:
    paging = split_pages([_object(1, 10), _object(2, 950_000)], [])
    assert paging.oversized == ["/cal/2.ics"]
    assert [o.provider_object_id for p in paging.pages for o in p.objects] == ["/cal/1.ics"]


def test_messages_share_the_sync_id_and_only_the_last_is_final() -> None:
    paging = split_pages([_object(n, 300_000) for n in range(3)], [], page_bytes=500_000)
    messages = changes_messages(
        calendar_id="cal_1",
        provider="caldav",
        sync_id="syn_1",
        full=True,
        account_addresses=("alice@example.com",),
        pages=paging.pages,
    )
    assert [m.page for m in messages] == [0, 1, 2]
    assert [m.final for m in messages] == [False, False, True]
    assert {m.sync_id for m in messages} == {"syn_1"}
    assert all(m.full and m.calendar_time_zone is None for m in messages)


def test_ids_seen_before_the_window_are_paged_and_published_too() -> None:
    before = [f"/cal/old-{n}-{'x' * 40_000}.ics" for n in range(30)]
    paging = split_pages([_object(0, 100)], ["/cal/gone.ics"], before, page_bytes=500_000)
    assert len(paging.pages) == 3 and all(p.size <= 500_000 for p in paging.pages)
    messages = changes_messages(
        calendar_id="cal_1",
        provider="caldav",
        sync_id="syn_1",
        full=True,
        account_addresses=(),
        pages=paging.pages,
    )
    assert [i for m in messages for i in m.before_window] == before
    assert [r for m in messages for r in m.removed] == ["/cal/gone.ics"]
