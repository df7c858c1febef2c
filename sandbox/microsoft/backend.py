"""The Microsoft backend: the Outlook store, subscriptions, the mailbox gate and the clock behind
the Graph routes, and the `ProviderBackend` hooks the admin API calls (accounts, seeding, delta
token expiry, reset, fault answers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.microsoft import calendars, errors, fault_shapes, seed
from sandbox.microsoft.delivery import Delivery
from sandbox.microsoft.mailboxes import MailboxGate
from sandbox.microsoft.store import Calendar, Store
from sandbox.microsoft.subscriptions import Subscriptions
from sandbox.oauth.store import OAuthStore
from sandbox.settings import SandboxSettings
from sandbox.world import Account, FaultAnswer, FaultInjector, SeedRequest

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class MicrosoftBackend:
    """All Outlook resources of the sandbox; every public method is safe to call from any thread
    (the store behind `lock`)."""

    name = "microsoft"

    def __init__(
        self,
        settings: SandboxSettings,
        faults: FaultInjector,
        oauth: OAuthStore,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.oauth = oauth
        self.store = Store()
        self.lock = threading.RLock()
        self.gate = MailboxGate(settings.microsoft_mailbox_concurrency)
        self.subscriptions = Subscriptions(faults, Delivery())

    def now(self) -> datetime:
        return self.clock()

    # --- ProviderBackend -------------------------------------------------------------------

    def on_account_created(self, account: Account) -> None:
        with self.lock:
            if self.store.default_calendar(account.id) is None:
                self.store.add_calendar(
                    calendars.new_calendar(account, calendars.DEFAULT_NAME, default=True)
                )

    def seed(self, account: Account, request: SeedRequest) -> dict[str, Any]:
        with self.lock:
            self.on_account_created(account)
            return seed.seed_account(self.store, account, request, self.now())

    def expire_sync_tokens(self, account_id: str | None) -> int:
        with self.lock:
            calendars = [
                c
                for c in self.store.calendars.values()
                if account_id is None or c.account_id == account_id
            ]
            for calendar in calendars:
                calendar.epoch += 1
            return len(calendars)

    def reset(self) -> None:
        with self.lock:
            self.store.clear()
        self.subscriptions.reset()
        self.gate.reset()

    def fault_answer(self, status: int, reason: str | None, path: str) -> FaultAnswer:
        return fault_shapes.microsoft_fault(status, reason, path)

    # --- used by the routes ----------------------------------------------------------------

    def calendar_for(self, account: Account, calendar_id: str | None) -> Calendar:
        """The account's calendar (None: the default one); 404 for anyone else's."""
        if calendar_id is None:
            self.on_account_created(account)
            found = self.store.default_calendar(account.id)
        else:
            found = self.store.calendars.get(calendar_id)
        if found is None or found.account_id != account.id:
            raise errors.item_not_found()
        return found

    def application_id(self, account: Account) -> str:
        """The app a subscription is reported under: the account's first granted app."""
        granted = self.oauth.granted_apps(account.id)
        return granted[0].client_id if granted else self.oauth.default_app(self.name).client_id

    def changed(self, account: Account, calendar_id: str, event_id: str, change: str) -> None:
        """An event changed: tell the subscriptions covering it."""
        self.subscriptions.notify(account, calendar_id, event_id, change, self.now())

    async def aclose(self) -> None:
        await self.subscriptions.hub.aclose()
