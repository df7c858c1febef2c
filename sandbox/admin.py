"""The admin API under `/_admin`, shared by every provider: apps, accounts and their tokens, sync
token expiry, seeding, faults, the request log and reset (for tests, benchmarks and demos)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox.faults import FaultRule, FaultRules
from sandbox.oauth.errors import AccountExists
from sandbox.oauth.records import GrantEnd
from sandbox.oauth.store import OAuthStore
from sandbox.traffic import LoggedRequest, RequestLog
from sandbox.world import Account, ProviderBackend, SeedRequest, World


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is a 422, not silently ignored


class AppIn(Body):
    provider: str
    redirect_uris: list[str] = Field(default_factory=list)


class AccountIn(Body):
    provider: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class GrantIn(Body):
    client_id: str | None = None  # default: the provider's default app


class RevokeIn(Body):
    # How the grants end, as the provider then tells the client (Microsoft: revoked AADSTS50173,
    # expired AADSTS700082, consent_revoked AADSTS65001; Google and Zoom word them alike).
    reason: GrantEnd = "revoked"


class ExpireIn(Body):
    provider: str
    account_id: str | None = None


class FaultIn(Body):
    provider: str
    path: str | None = None  # provider-relative; matches itself and below, `*` = one segment
    status: int = 0  # 0: latency only
    reason: str | None = None  # Google: `rateLimitExceeded` (default for 403/429), `userRate…`
    count: int = Field(default=1, ge=1)
    retry_after: int | None = Field(default=None, ge=0)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    drop_push: int = Field(default=0, ge=0)

    @field_validator("status")
    @classmethod
    def error_status(cls, value: int) -> int:
        if value and not 400 <= value <= 599:
            raise ValueError("status is 0 (latency only) or an HTTP error status, 400-599")
        return value


class SeedIn(Body):
    provider: str
    account_id: str
    calendars: int = Field(default=1, ge=0, le=1_000)
    events_per_calendar: int = Field(default=100, ge=0, le=1_000_000)
    recurring_share: float = Field(default=0.1, ge=0, le=1)
    meeting_link_share: float = Field(default=0.3, ge=0, le=1)
    seed: int = 0


class Admin:
    """Lookups every admin route needs, answering 404 for what does not exist."""

    def __init__(self, world: World, store: OAuthStore) -> None:
        self.world = world
        self.store = store

    def provider(self, name: str) -> str:
        if name not in self.store.providers and name not in self.world.backends:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown provider {name!r}")
        return name

    def backend(self, provider: str) -> ProviderBackend:
        backend = self.world.backends.get(self.provider(provider))
        if backend is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"provider {provider!r} has no backend")
        return backend

    def account(self, account_id: str, provider: str | None = None) -> Account:
        account = self.store.account(account_id)
        if account is None or (provider is not None and account.provider != provider):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown account {account_id!r}")
        return account

    def create_account(self, provider: str, email: str) -> Account:
        try:
            account = self.store.create_account(self.provider(provider), email)
        except AccountExists as exists:
            raise HTTPException(status.HTTP_409_CONFLICT, f"{email} exists") from exists
        backend = self.world.backends.get(provider)
        if backend is not None:
            backend.on_account_created(account)
        return account


def admin_router(world: World, store: OAuthStore, rules: FaultRules, log: RequestLog) -> APIRouter:
    router = APIRouter(prefix="/_admin", tags=["admin"])
    admin = Admin(world, store)

    @router.post("/apps", status_code=status.HTTP_201_CREATED)
    async def register_app(body: AppIn) -> dict[str, Any]:
        app = store.register_app(admin.provider(body.provider), tuple(body.redirect_uris))
        return {"client_id": app.client_id, "client_secret": app.client_secret}

    @router.post("/apps/{client_id}/secret")
    async def reset_app_secret(client_id: str) -> dict[str, Any]:
        app = store.app(client_id)
        if app is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown client {client_id!r}")
        if store.is_default(app):  # demos rely on the default apps' credentials
            raise HTTPException(status.HTTP_409_CONFLICT, "a default app keeps its secret")
        renewed = store.reset_secret(app)
        return {"client_id": renewed.client_id, "client_secret": renewed.client_secret}

    @router.post("/accounts", status_code=status.HTTP_201_CREATED)
    async def create_account(body: AccountIn) -> dict[str, Any]:
        account = admin.create_account(body.provider, body.email)
        app = store.default_app(account.provider)
        grant = store.grant(account, app)
        return {
            "account_id": account.id,
            "provider": account.provider,
            "email": account.email,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": grant.refresh_token,
        }

    @router.post("/accounts/{account_id}/grant")
    async def grant(account_id: str, body: GrantIn | None = None) -> dict[str, Any]:
        account = admin.account(account_id)
        client_id = body.client_id if body and body.client_id else None
        app = store.app(client_id) if client_id else store.default_app(account.provider)
        if app is None or app.provider != account.provider:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown client {client_id!r}")
        return {"refresh_token": store.grant(account, app).refresh_token}

    @router.post("/accounts/{account_id}/token")
    async def access_token(account_id: str) -> dict[str, Any]:
        account = admin.account(account_id)
        app = store.default_app(account.provider)
        grant = store.live_grant(account.id, app.client_id) or store.grant(account, app)
        token = store.issue_access_token(grant)
        expires_in = token.expires_in(store.clock())
        return {"access_token": token.token, "expires_in": expires_in, "token_type": "Bearer"}

    @router.post("/accounts/{account_id}/revoke")
    async def revoke(account_id: str, body: RevokeIn | None = None) -> dict[str, Any]:
        why = body.reason if body else "revoked"
        return {"revoked": store.end_account_grants(admin.account(account_id).id, why)}

    @router.post("/sync_tokens/expire")
    async def expire_sync_tokens(body: ExpireIn) -> dict[str, Any]:
        backend = admin.backend(body.provider)
        if body.account_id is not None:
            admin.account(body.account_id, body.provider)
        return {"expired": backend.expire_sync_tokens(body.account_id)}

    @router.post("/seed")
    async def seed(body: SeedIn) -> dict[str, Any]:
        backend = admin.backend(body.provider)
        account = admin.account(body.account_id, body.provider)
        request = SeedRequest(
            body.calendars,
            body.events_per_calendar,
            body.recurring_share,
            body.meeting_link_share,
            body.seed,
        )
        return backend.seed(account, request)

    @router.post("/faults", status_code=status.HTTP_201_CREATED)
    async def add_fault(body: FaultIn) -> dict[str, Any]:
        provider = admin.provider(body.provider)
        rules.add_push_drops(provider, body.drop_push)
        if not body.status and not body.latency_ms:
            return {"id": None, "drop_push": body.drop_push}
        rule = rules.add_rule(
            provider,
            path=body.path,
            status=body.status,
            reason=body.reason,
            count=body.count,
            retry_after=body.retry_after,
            latency_ms=body.latency_ms,
        )
        return fault_json(rule) | {"drop_push": body.drop_push}

    @router.get("/faults")
    async def list_faults() -> dict[str, Any]:
        drops = {p: rules.push_drops(p) for p in store.providers if rules.push_drops(p)}
        return {"results": [fault_json(rule) for rule in rules.rules()], "push_drops": drops}

    @router.delete("/faults", status_code=status.HTTP_204_NO_CONTENT)
    async def clear_faults() -> Response:
        rules.clear()
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/requests")
    async def requests(provider: str | None = None) -> dict[str, Any]:
        wanted = None if provider is None else admin.provider(provider)
        return {"results": [request_json(entry) for entry in log.entries(wanted)]}

    @router.post("/reset", status_code=status.HTTP_204_NO_CONTENT)
    async def reset() -> Response:
        store.reset()
        rules.clear()
        log.clear()
        for backend in world.backends.values():
            backend.reset()
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def fault_json(rule: FaultRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "provider": rule.provider,
        "path": rule.path,
        "status": rule.status,
        "reason": rule.reason,
        "count": rule.remaining,
        "retry_after": rule.retry_after,
        "latency_ms": rule.latency_ms,
    }


def request_json(entry: LoggedRequest) -> dict[str, Any]:
    return {
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "at": entry.at.isoformat(),
    }
