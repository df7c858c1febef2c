"""Use cases on calendars: `calendarList.list` (paged, with sync tokens, §1.2), `calendarList.get`
and `calendars.get`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.google import errors, resources, sync
from sandbox.google.backend import GoogleBackend
from sandbox.world import Account

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class CalendarListRequest:
    max_results: int | None = None
    page_token: str | None = None
    sync_token: str | None = None
    show_deleted: bool | None = None
    show_hidden: bool | None = None
    min_access_role: str | None = None
    show_own_organization_only: bool | None = None


def list_calendars(backend: GoogleBackend, account: Account, request: CalendarListRequest) -> str:
    with backend.lock:
        backend.calendar_for(account, "primary")  # make sure the primary exists
        store = backend.store
        scope = f"calendarList:{account.id}"
        epoch = store.list_epochs.get(account.id, 0)
        now = backend.now().timestamp()
        since = _since(
            request, scope, account, epoch, now, backend.settings.google_sync_token_ttl_seconds
        )
        size = _page_size(request.max_results)
        print_ = sync.fingerprint("calendarList", since)
        token = (
            sync.read_page_token(request.page_token, scope=scope, fingerprint=print_)
            if request.page_token
            else None
        )
        snapshot = token.snapshot if token else store.list_seq(account.id)
        log = store.list_logs.get(account.id)
        entries: list[dict[str, Any]] = []
        header: dict[str, Any] = {"kind": "calendar#calendarList", "etag": f'"{snapshot}"'}
        last_seq = 0
        changes = log.since(token.seq if token else since, snapshot) if log else iter(())
        for seq, calendar_id in changes:
            calendar = store.calendars.get(calendar_id)
            if calendar is None or calendar.list_seq != seq:
                continue
            if len(entries) == size:
                header["nextPageToken"] = sync.encode_page_token(
                    sync.PageToken(scope, snapshot, print_, last_seq)
                )
                break
            entries.append(resources.calendar_list_entry(calendar))
            last_seq = seq
        else:
            header["nextSyncToken"] = sync.encode_sync_token(
                sync.SyncToken(scope, account.id, snapshot, epoch, now)
            )
        return resources.events_page(header, [json.dumps(e, ensure_ascii=False) for e in entries])


def get_calendar_list_entry(
    backend: GoogleBackend, account: Account, calendar_id: str
) -> dict[str, Any]:
    with backend.lock:
        return resources.calendar_list_entry(backend.calendar_for(account, calendar_id))


def get_calendar(backend: GoogleBackend, account: Account, calendar_id: str) -> dict[str, Any]:
    with backend.lock:
        return resources.calendar_resource(backend.calendar_for(account, calendar_id))


def _since(
    request: CalendarListRequest, scope: str, account: Account, epoch: int, now: float, ttl: int
) -> int:
    if request.sync_token is None:
        return 0
    if request.min_access_role is not None or request.show_own_organization_only is not None:
        raise errors.bad_request(
            "minAccessRole and showOwnOrganizationOnly cannot be used together with syncToken."
        )
    if request.show_deleted is False or request.show_hidden is False:
        raise errors.bad_request("showDeleted and showHidden cannot be false with syncToken.")
    token = sync.read_sync_token(
        request.sync_token,
        scope=scope,
        account_id=account.id,
        epoch=epoch,
        now=now,
        ttl_seconds=ttl,
    )
    return token.seq


def _page_size(requested: int | None) -> int:
    if requested is None:
        return DEFAULT_PAGE_SIZE
    if requested < 1:
        raise errors.bad_request("Invalid value for maxResults.", location="maxResults")
    return min(requested, MAX_PAGE_SIZE)
