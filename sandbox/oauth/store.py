"""The shared, provider-neutral OAuth store: apps, accounts, grants, codes and access tokens in
memory. It implements `sandbox.world.Identity`; each provider's routes speak its own wire format
on top of it and translate its `sandbox.oauth.errors`."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import replace
from datetime import timedelta

from sandbox.oauth import conventions
from sandbox.oauth.clock import Clock
from sandbox.oauth.errors import (
    AccountExists,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
)
from sandbox.oauth.pkce import ChallengeMethod, verifier_matches
from sandbox.oauth.records import (
    AccessToken,
    App,
    AuthorizationCode,
    Grant,
    GrantEnd,
    Redemption,
    Refreshed,
)
from sandbox.settings import SandboxSettings
from sandbox.world import Account

_SWEEP_EVERY = 1000
_SPENT_CODES_KEPT = 100_000
# Replaced refresh tokens remembered (oldest forgotten first), so one presented after its grant
# ended says how; a forgotten one reads as unknown, `rotated_refresh_token`: still refused.
ROTATED_OUT_KEPT = 100_000
# With `keep_old`, how many refresh tokens of one grant stay valid: the newest ones.
VALID_REFRESH_TOKENS_PER_GRANT = 5


class OAuthStore:
    """Everything OAuth, for every provider. `reset` forgets all but the default apps."""

    def __init__(
        self,
        settings: SandboxSettings,
        clock: Clock,
        *,
        rotated_out_kept: int = ROTATED_OUT_KEPT,
        valid_per_grant: int = VALID_REFRESH_TOKENS_PER_GRANT,
    ) -> None:
        self._settings = settings
        self.clock = clock
        self._rotated_out_kept = rotated_out_kept
        self._valid_per_grant = valid_per_grant
        self._defaults = {
            provider: App(
                provider,
                conventions.default_client_id(provider),
                conventions.default_client_secret(provider),
                redirect_uris=(),
                any_loopback=True,
            )
            for provider in conventions.PROVIDERS
        }
        self.reset()

    def reset(self) -> None:
        self._apps = {app.client_id: app for app in self._defaults.values()}
        self._accounts: dict[str, Account] = {}
        self._emails: dict[tuple[str, str], str] = {}
        self._grants: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, str] = {}  # usable refresh token -> grant id
        self._valid_by_grant: dict[str, deque[str]] = {}  # grant id -> its usable, oldest first
        self._rotated_out: dict[str, str] = {}  # replaced refresh token -> grant id, oldest first
        self._codes: dict[str, AuthorizationCode] = {}
        self._spent_codes: set[str] = set()
        self._access_tokens: dict[str, AccessToken] = {}
        self._issued = 0

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(self._defaults)

    # Apps

    def default_app(self, provider: str) -> App:
        return self._defaults[provider]

    def register_app(self, provider: str, redirect_uris: tuple[str, ...]) -> App:
        app = App(provider, secrets.token_hex(12), secrets.token_urlsafe(24), redirect_uris)
        self._apps[app.client_id] = app
        return app

    def app(self, client_id: str) -> App | None:
        return self._apps.get(client_id)

    def reset_secret(self, app: App) -> App:
        """A new client secret for a registered app, like a provider console's "reset
        secret": the old one is refused from then on; grants and tokens stay valid."""
        renewed = replace(app, client_secret=secrets.token_urlsafe(24))
        self._apps[app.client_id] = renewed
        return renewed

    def is_default(self, app: App) -> bool:
        return self._defaults.get(app.provider) == app

    def authenticate(self, client_id: str, client_secret: str) -> App:
        """The app whose credentials these are; raises `InvalidClient`."""
        app = self._apps.get(client_id)
        if app is None:
            raise InvalidClient(unknown=True)
        if not secrets.compare_digest(app.client_secret, client_secret):
            raise InvalidClient(unknown=False)
        return app

    # Accounts

    def create_account(self, provider: str, email: str) -> Account:
        key = (provider, email.lower())
        if key in self._emails:
            raise AccountExists(email)
        account = Account(secrets.token_hex(8), provider, email, self.clock())
        self._accounts[account.id] = account
        self._emails[key] = account.id
        return account

    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def account_by_email(self, provider: str, email: str) -> Account | None:
        account_id = self._emails.get((provider, email.lower()))
        return None if account_id is None else self._accounts[account_id]

    # Grants

    def grant(self, account: Account, app: App, scope: str | None = None) -> Grant:
        """A new consent: a new refresh token for this account and app."""
        token = conventions.token_shape(app.provider).new_refresh_token()
        grant = Grant(
            secrets.token_hex(8),
            account.id,
            app.client_id,
            scope or conventions.DEFAULT_SCOPES.get(app.provider, ""),
            token,
            self.clock(),
        )
        self._grants[grant.id] = grant
        self._refresh_tokens[token] = grant.id
        self._valid_by_grant[grant.id] = deque([token])
        return grant

    def live_grant(self, account_id: str, client_id: str) -> Grant | None:
        """The newest unrevoked grant of this account to this app."""
        live = [
            g
            for g in self._grants.values()
            if g.account_id == account_id and g.client_id == client_id and not g.revoked
        ]
        return live[-1] if live else None

    def granted_apps(self, account_id: str) -> list[App]:
        """The apps this account has a live grant to (who a provider's webhooks go to)."""
        ids = {g.client_id for g in self._grants.values() if g.account_id == account_id}
        live = [cid for cid in ids if self.live_grant(account_id, cid) is not None]
        return [self._apps[cid] for cid in sorted(live) if cid in self._apps]

    def end_account_grants(self, account_id: str, why: GrantEnd = "revoked") -> int:
        """End every live grant of the account (and so its access tokens); returns how many."""
        live = [g for g in self._grants.values() if g.account_id == account_id and not g.revoked]
        for grant in live:
            grant.ended = why
        return len(live)

    def revoke_token(self, token: str) -> bool:
        """Revoke the grant behind a refresh or access token (Google revokes both for either)."""
        grant = self._grant_of(token)
        if grant is None or grant.revoked:
            return False
        grant.ended = "revoked"
        return True

    def _grant_of(self, token: str) -> Grant | None:
        grant_id = self._refresh_tokens.get(token)
        if grant_id is None and token in self._access_tokens:
            grant_id = self._access_tokens[token].grant_id
        return None if grant_id is None else self._grants[grant_id]

    # Authorization codes

    def issue_code(
        self,
        app: App,
        account: Account,
        redirect_uri: str,
        scope: str,
        challenge: str | None,
        challenge_method: ChallengeMethod,
        *,
        offline: bool = True,
    ) -> str:
        code = conventions.token_shape(app.provider).new_code()
        ttl = timedelta(seconds=self._settings.authorization_code_ttl_seconds)
        self._codes[code] = AuthorizationCode(
            code,
            account.id,
            app.client_id,
            redirect_uri,
            scope or conventions.DEFAULT_SCOPES.get(app.provider, ""),
            challenge,
            challenge_method,
            offline,
            self.clock() + ttl,
        )
        return code

    def redeem_code(
        self, app: App, code: str, redirect_uri: str | None, verifier: str | None
    ) -> Redemption:
        """Exchange a code once (RFC 6749 §4.1.3); raises `InvalidGrant`."""
        if not code.startswith(conventions.token_shape(app.provider).code):
            raise InvalidGrant("malformed_code")
        issued = self._codes.pop(code, None)  # popped even when refused: single use
        if issued is None:
            raise InvalidGrant("used_code" if code in self._spent_codes else "unknown_code")
        self._spent_codes.add(code)
        self._check_code(issued, app, redirect_uri, verifier)
        account = self._accounts[issued.account_id]
        grant = self.grant(account, app, issued.scope)
        return Redemption(grant, self.issue_access_token(grant), issued.offline)

    def _check_code(
        self, issued: AuthorizationCode, app: App, redirect_uri: str | None, verifier: str | None
    ) -> None:
        if self.clock() >= issued.expires_at:
            raise InvalidGrant("expired_code")
        if issued.client_id != app.client_id:
            raise InvalidGrant("client_mismatch")
        if redirect_uri != issued.redirect_uri:
            raise InvalidGrant("redirect_mismatch")
        if issued.challenge is None:
            return
        if not verifier:
            raise InvalidGrant("verifier_missing")
        if not verifier_matches(issued.challenge, issued.challenge_method, verifier):
            raise InvalidGrant("verifier_mismatch")

    # Access tokens

    def refresh(
        self, app: App, refresh_token: str, *, rotate: bool = False, keep_old: bool = False
    ) -> Refreshed:
        """A new access token for a live refresh token; raises `InvalidGrant`.

        Google keeps its refresh token (`rotate=False`). Microsoft and Zoom rotate: the answer
        carries a new refresh token, and the presented one then fails with
        `rotated_refresh_token` unless `keep_old` (Microsoft sometimes keeps it valid; here only
        the grant's newest VALID_REFRESH_TOKENS_PER_GRANT stay so)."""
        grant = self._grant_of_refresh_token(refresh_token)
        if grant is None:
            rotated = self._rotated_out.get(refresh_token)
            ended = None if rotated is None else self._grants[rotated].ended
            raise InvalidGrant("dead_refresh_token" if ended else "rotated_refresh_token", ended)
        if grant.revoked:
            raise InvalidGrant("dead_refresh_token", grant.ended)
        if grant.client_id != app.client_id:
            raise UnauthorizedClient(app.client_id)
        new_token = self._rotate(grant, refresh_token, keep_old) if rotate else None
        return Refreshed(grant, self.issue_access_token(grant), new_token)

    def _rotate(self, grant: Grant, presented: str, keep_old: bool) -> str:
        new_token = conventions.token_shape(
            self._apps[grant.client_id].provider
        ).new_refresh_token()
        valid = self._valid_by_grant[grant.id]
        if not keep_old:
            valid.remove(presented)
            self._retire(presented, grant.id)
        valid.append(new_token)
        self._refresh_tokens[new_token] = grant.id
        while len(valid) > self._valid_per_grant:
            self._retire(valid.popleft(), grant.id)
        grant.refresh_token = new_token
        return new_token

    def _retire(self, token: str, grant_id: str) -> None:
        """`token` stops working and reads as rotated out, until ROTATED_OUT_KEPT newer ones are."""
        del self._refresh_tokens[token]
        self._rotated_out[token] = grant_id
        if len(self._rotated_out) > self._rotated_out_kept:
            del self._rotated_out[next(iter(self._rotated_out))]  # dicts keep insertion order

    def _grant_of_refresh_token(self, token: str) -> Grant | None:
        grant_id = self._refresh_tokens.get(token)
        return None if grant_id is None else self._grants[grant_id]

    def issue_access_token(self, grant: Grant) -> AccessToken:
        provider = self._apps[grant.client_id].provider
        ttl = timedelta(seconds=self._settings.access_token_ttl_seconds)
        token = AccessToken(
            conventions.token_shape(provider).new_access_token(),
            grant.id,
            provider,
            grant.scope,
            self.clock() + ttl,
        )
        self._access_tokens[token.token] = token
        self._issued += 1
        if self._issued % _SWEEP_EVERY == 0:
            self._sweep()
        return token

    def _sweep(self) -> None:
        """Forget expired access tokens and codes, so memory follows live state, not history."""
        now = self.clock()
        self._access_tokens = {k: v for k, v in self._access_tokens.items() if v.expires_at > now}
        self._codes = {k: v for k, v in self._codes.items() if v.expires_at > now}
        if len(self._spent_codes) > _SPENT_CODES_KEPT:
            self._spent_codes.clear()  # a reused old code then reads as unknown: still refused

    def scopes_of_access_token(self, provider: str, token: str) -> frozenset[str]:
        """`Identity`: the scopes of a live access token (its grant's), empty if it is not live."""
        if self.account_for_access_token(provider, token) is None:
            return frozenset()
        return frozenset(self._access_tokens[token].scope.split())

    def account_for_access_token(self, provider: str, token: str) -> Account | None:
        """`Identity`: the account of a live (unexpired, unrevoked) access token of `provider`."""
        access = self._access_tokens.get(token)
        if access is None or access.provider != provider or self.clock() >= access.expires_at:
            return None
        grant = self._grants[access.grant_id]
        return None if grant.revoked else self._accounts.get(grant.account_id)
