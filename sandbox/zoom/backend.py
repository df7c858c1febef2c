"""The Zoom backend: users, meetings, page tokens and the webhook hub behind the API routes, and the
`ProviderBackend` hooks the admin API calls (accounts, seeding, reset, fault bodies)."""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sandbox.oauth.records import App
from sandbox.settings import SandboxSettings
from sandbox.world import Account, FaultAnswer, FaultInjector, SeedRequest
from sandbox.zoom import identifiers, seed
from sandbox.zoom.delivery import DELIVERY_TIMEOUT_SECONDS, WebhookHub
from sandbox.zoom.endpoints import VALIDATION_TIMEOUT_SECONDS
from sandbox.zoom.fault_shapes import zoom_fault
from sandbox.zoom.page_tokens import PageTokens
from sandbox.zoom.store import Store, User

Clock = Callable[[], datetime]
USER_TIME_ZONE = "UTC"  # every sandbox user's Zoom profile time zone (meetings' default)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ZoomOptions:
    """Zoom behaviours that differ between reports, and time limits tests shorten.

    `dead_refresh_token_error`: providers.md §4 and developer-forum reports give the `error` of
    a reused or revoked refresh token as `invalid_request`; reports from 2024 on show
    `invalid_grant` (both with `reason: "Invalid Token!"` and status 400)."""

    dead_refresh_token_error: Literal["invalid_request", "invalid_grant"] = "invalid_request"  # noqa: S105
    validation_timeout_seconds: float = VALIDATION_TIMEOUT_SECONDS
    delivery_timeout_seconds: float = DELIVERY_TIMEOUT_SECONDS


class ZoomBackend:
    """All Zoom resources of the sandbox; every public method is safe to call from any thread."""

    name = "zoom"

    def __init__(
        self,
        settings: SandboxSettings,
        faults: FaultInjector,
        granted_apps: Callable[[str], list[App]],
        clock: Clock = system_clock,
        options: ZoomOptions | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.options = options or ZoomOptions()
        self.store = Store()
        self.page_tokens = PageTokens()
        self.hub = WebhookHub(faults, clock, granted_apps, self.options.delivery_timeout_seconds)
        self.lock = threading.RLock()
        self.rng: random.Random = secrets.SystemRandom()

    def now(self) -> datetime:
        return self.clock()

    # --- ProviderBackend -------------------------------------------------------------------

    def on_account_created(self, account: Account) -> None:
        self.user_for(account)

    def seed(self, account: Account, request: SeedRequest) -> dict[str, Any]:
        with self.lock:
            return seed.seed_meetings(self.store, self.user_for(account), request, self.now())

    def expire_sync_tokens(self, account_id: str | None) -> int:
        """Zoom has no sync tokens: nothing to expire."""
        del account_id
        return 0

    def reset(self) -> None:
        with self.lock:
            self.store.clear()
            self.page_tokens.clear()
        self.hub.reset()

    def fault_answer(self, status: int, reason: str | None, path: str) -> FaultAnswer:
        return zoom_fault(status, reason, path)

    # --- used by the routes ----------------------------------------------------------------

    def user_for(self, account: Account) -> User:
        """The account's Zoom user, made on first sight (accounts made before the backend)."""
        with self.lock:
            user = self.store.users.get(account.id)
            if user is None:
                user = User(
                    account_id=account.id,
                    id=identifiers.user_id(account.id),
                    zoom_account_id=identifiers.zoom_account_id(account.id),
                    email=account.email,
                    pmi=identifiers.personal_meeting_id(account.id),
                    timezone=USER_TIME_ZONE,
                    created_at=account.created_at,
                )
                self.store.users[account.id] = user
            return user

    async def aclose(self) -> None:
        await self.hub.aclose()
