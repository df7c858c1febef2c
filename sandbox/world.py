"""The sandbox's seams: what the provider emulations share, as small protocols and records.

`World` is built once by the composition root (`app.py`) and handed to every provider. The OAuth
machinery, the fault rules and the request log are shared by all providers; each provider's
resources live in its own backend (`sandbox/google/`, `sandbox/microsoft/`, `sandbox/zoom/`) and
each provider serves its own OAuth wire format on the shared store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sandbox.settings import SandboxSettings

if TYPE_CHECKING:
    from sandbox.oauth.store import OAuthStore


@dataclass
class Account:
    """A user of one provider (one mailbox); its resources belong to the provider's backend."""

    id: str
    provider: str
    email: str
    created_at: datetime


@dataclass(frozen=True)
class SeedRequest:
    """`POST /_admin/seed`: deterministic bulk data for one account."""

    calendars: int
    events_per_calendar: int
    recurring_share: float
    meeting_link_share: float
    seed: int


class Identity(Protocol):
    """Who a bearer token belongs to (implemented by the shared OAuth store)."""

    def account_for_access_token(self, provider: str, token: str) -> Account | None:
        """The account of a live (unexpired, unrevoked) access token, else None."""

    def scopes_of_access_token(self, provider: str, token: str) -> frozenset[str]:
        """The scopes a live access token was granted (empty for an unknown token)."""

    def account(self, account_id: str) -> Account | None: ...


@dataclass(frozen=True)
class FaultAnswer:
    """What a provider answers for an injected error: its JSON error body and extra headers."""

    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FaultInjector(Protocol):
    def take_push_drop(self, provider: str) -> bool:
        """True when a configured fault says to drop this push notification (consumes one)."""


class ProviderBackend(Protocol):
    """A provider's resources (calendars, events, channels): one per provider."""

    name: str

    def on_account_created(self, account: Account) -> None:
        """Create the account's default resources (Google: the primary calendar)."""

    def seed(self, account: Account, request: SeedRequest) -> dict[str, Any]:
        """Add deterministic data; returns a summary (ids created, counts)."""

    def expire_sync_tokens(self, account_id: str | None) -> int:
        """Make every outstanding sync token (of one account, or all) answer 410; returns how many
        calendars were affected."""

    def reset(self) -> None:
        """Forget every resource (accounts are reset by the identity store)."""

    def fault_answer(self, status: int, reason: str | None, path: str) -> FaultAnswer:
        """The provider's error body and headers for an injected `status` at the
        provider-relative `path` (API and OAuth endpoints answer in different shapes)."""


@dataclass
class World:
    """`oauth` is the whole OAuth store (each provider serves its token endpoints on it);
    `identity` the narrow view API routes authenticate with (the same store, but tests of one
    provider's API may hand-write it)."""

    settings: SandboxSettings
    identity: Identity
    faults: FaultInjector
    oauth: OAuthStore
    backends: dict[str, ProviderBackend] = field(default_factory=dict)
