"""The Google backend: the store, the push hub and the clock behind the Calendar API routes, and
the `ProviderBackend` hooks the admin API calls (accounts, seeding, token expiry, reset).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sandbox.google import errors, seed
from sandbox.google.fault_shapes import google_fault
from sandbox.google.listing import ScanLimits
from sandbox.google.push import PushHub
from sandbox.google.sorted_listings import SortedListings
from sandbox.google.store import Calendar, Store
from sandbox.settings import SandboxSettings
from sandbox.world import Account, FaultAnswer, FaultInjector, SeedRequest

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Bulk seeding allocates only live objects; cyclic GC passes over them would cost ~40 %."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class GoogleBackend:
    """All Google resources of the sandbox; every public method is safe to call from any thread."""

    name = "google"

    def __init__(
        self,
        settings: SandboxSettings,
        faults: FaultInjector,
        clock: Clock = system_clock,
        limits: ScanLimits | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.limits = limits or ScanLimits()
        self.store = Store()
        self.push = PushHub(faults, clock, settings.allow_private_push_addresses)
        self.lock = threading.RLock()
        self.emails: dict[str, str] = {}
        self.sorted_listings = SortedListings()

    def now(self) -> datetime:
        return self.clock()

    # --- ProviderBackend -------------------------------------------------------------------

    def on_account_created(self, account: Account) -> None:
        with self.lock:
            self.emails[account.id] = account.email
            if account.email in self.store.calendars:
                return
            self.store.add_calendar(
                Calendar(
                    id=account.email,
                    account_id=account.id,
                    summary=account.email,
                    time_zone=self.settings.google_primary_time_zone,
                    primary=True,
                    updated=self.now(),
                )
            )

    def seed(self, account: Account, request: SeedRequest) -> dict[str, Any]:
        with self.lock, _collector_paused():
            if account.id not in self.emails:
                self.on_account_created(account)
            summary, changed = seed.seed_account(self.store, account, request, self.now())
        for calendar_id in changed:
            self.push.notify(calendar_id)
        return summary

    def expire_sync_tokens(self, account_id: str | None) -> int:
        with self.lock:
            calendars = [
                c
                for c in self.store.calendars.values()
                if account_id is None or c.account_id == account_id
            ]
            for calendar in calendars:
                calendar.token_epoch += 1
            accounts = [account_id] if account_id else list(self.store.by_account)
            for owner in accounts:
                self.store.list_epochs[owner] = self.store.list_epochs.get(owner, 0) + 1
            return len(calendars)

    def reset(self) -> None:
        with self.lock:
            self.store.clear()
            self.emails.clear()
            self.sorted_listings = SortedListings()
        self.push.reset()

    def fault_answer(self, status: int, reason: str | None, path: str) -> FaultAnswer:
        return google_fault(status, reason, path)

    # --- used by the routes ----------------------------------------------------------------

    def calendar_for(self, account: Account, calendar_id: str) -> Calendar:
        """The account's calendar (`primary` = its primary); 404 for anyone else's."""
        self.emails.setdefault(account.id, account.email)
        key = account.email if calendar_id == "primary" else calendar_id
        calendar = self.store.calendars.get(key)
        if calendar is None and key == account.email:
            self.on_account_created(account)
            calendar = self.store.calendars.get(key)
        if calendar is None or calendar.account_id != account.id:
            raise errors.not_found()
        return calendar

    def changed(self, calendar: Calendar) -> None:
        """A calendar changed: tell its push channels."""
        self.push.notify(calendar.id)

    async def aclose(self) -> None:
        await self.push.aclose()
