"""Use cases of `/me/calendars` and `/me/calendar`: list (paged), get, create, and the default
calendar every mailbox starts with (`Calendar`, `isDefaultCalendar`)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from sandbox.microsoft import errors, identifiers, paging, resources
from sandbox.microsoft.store import Calendar
from sandbox.world import Account

if TYPE_CHECKING:
    from sandbox.microsoft.backend import MicrosoftBackend

DEFAULT_NAME = "Calendar"


def new_calendar(account: Account, name: str, *, default: bool, basis: str = "") -> Calendar:
    return Calendar(
        id=identifiers.calendar_id(f"{account.email.lower()}/{name}/{basis}"),
        account_id=account.id,
        name=name,
        owner={"name": resources.display_name(account.email), "address": account.email},
        is_default=default,
        change_key=identifiers.new_change_key(),
    )


def list_calendars(
    backend: MicrosoftBackend, account: Account, page: paging.PageRequest
) -> dict[str, Any]:
    with backend.lock:
        backend.on_account_created(account)
        rows = [resources.calendar_json(c) for c in backend.store.account_calendars(account.id)]
    return paging.page_of(rows, page, "$metadata#users('me')/calendars")


def get_calendar(
    backend: MicrosoftBackend, account: Account, calendar_id: str | None
) -> dict[str, Any]:
    with backend.lock:
        return resources.calendar_json(backend.calendar_for(account, calendar_id))


def create_calendar(backend: MicrosoftBackend, account: Account, body: Any) -> dict[str, Any]:
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise errors.bad_request("The calendar needs a name.")
    with backend.lock:
        if any(c.name == name for c in backend.store.account_calendars(account.id)):
            raise errors.GraphError(
                409, "ErrorFolderExists", "A folder with the specified name already exists."
            )
        calendar = new_calendar(account, name, default=False, basis=secrets.token_hex(8))
        backend.store.add_calendar(calendar)
        return resources.calendar_json(calendar)
