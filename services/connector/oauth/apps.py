"""A project's OAuth apps for hosted OAuth: changed (merged, checked, sealed) under the project's
version lock, opened for an authorization or a code exchange, and shown as public facts only. A
new secret for an app's same client id reaches the project's grants of that client in the same
transaction (`client_secrets.py`).

The secrets are sealed like grants (`credentials.py`), bound to (project, provider); the
gateway keeps the public facts this returns, never a secret.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain.oauth_apps import (
    AppChange,
    AppFacts,
    FieldError,
    InvalidAppChange,
    OAuthApp,
    merged,
)
from services.connector.domain.zoom_webhooks import ProjectSecret
from services.connector.oauth import app_store, client_secrets
from shared.db import types as db

log = logging.getLogger(__name__)


def app_aad(project_id: str, provider: str) -> bytes:
    """What an app's ciphertext is bound to: its row (project, provider)."""
    return associated_data(project_id, "oauth_app", provider)


@dataclass(frozen=True)
class AppsView:
    """The project's apps after a change: public facts by provider, and the change's version
    (changes of one project are numbered in commit order)."""

    version: int
    apps: dict[str, AppFacts]


@dataclass(frozen=True)
class ProjectApps:
    pool: Callable[[], asyncpg.Pool[Any]]
    keyring: Keyring

    async def change(self, project_id: str, changes: Mapping[str, AppChange | None]) -> AppsView:
        """Apply one change per provider (None removes the app) in one transaction; nothing
        is stored when any is refused (`InvalidAppChange` naming every bad field). A secret
        given for an app keeping its client id is also re-sealed into the project's grants of
        that client (the account locks taken there come after this project's version and app
        rows, which nobody holding an account lock ever waits for)."""
        async with self.pool().acquire() as conn, conn.transaction():
            version = await app_store.next_version(conn, project_id)
            stored = {app.provider: app for app in await app_store.project_apps(conn, project_id)}
            errors: list[FieldError] = []
            new_secrets: list[tuple[str, OAuthApp]] = []
            for provider, change in changes.items():
                current = self._open(stored[provider]) if provider in stored else None
                try:
                    app = merged(provider, current, change)
                except InvalidAppChange as refused:
                    errors += refused.errors
                    continue
                await self._save(conn, project_id, provider, app)
                rotated = _with_new_secret(stored.get(provider), change, app)
                if rotated is not None:
                    new_secrets.append((provider, rotated))
            if errors:
                raise InvalidAppChange(errors)
            resealed = 0
            for provider, app in new_secrets:
                resealed += await client_secrets.reseal_with_client_secret(
                    conn, self.keyring, project_id, provider, app.client_id, app.client_secret
                )
            facts = {
                app.provider: _facts(app) for app in await app_store.project_apps(conn, project_id)
            }
        log.info(
            "oauth apps changed",
            extra={"project_id": project_id, "version": version, "grants_resealed": resealed},
        )
        return AppsView(version, facts)

    async def app(self, project_id: str, provider: str) -> OAuthApp | None:
        """The project's app for `provider`, opened; None when it has none (or no configured
        key opens it, which is logged)."""
        stored = await app_store.project_app(self.pool(), project_id, provider)
        return self._open(stored) if stored is not None else None

    async def webhook_secrets(self, conn: db.Connection) -> list[ProjectSecret]:
        """Every project's Zoom webhook secret token, opened (to find whose app signed a
        delivery); unreadable ones are skipped (logged)."""
        secrets: list[ProjectSecret] = []
        for stored in await app_store.apps_with_webhook_secret(conn, "zoom"):
            app = self._open(stored)
            if app is not None and app.webhook_secret is not None:
                secret = app.webhook_secret.get_secret_value()
                secrets.append(ProjectSecret(stored.project_id, secret))
        return secrets

    async def _save(
        self, conn: db.Connection, project_id: str, provider: str, app: OAuthApp | None
    ) -> None:
        if app is None:
            await app_store.delete_app(conn, project_id, provider)
            return
        plaintext = json.dumps(app.sealable()).encode()
        sealed = self.keyring.seal(plaintext, app_aad(project_id, provider))
        has_webhook = app.webhook_secret is not None
        await app_store.save_app(conn, project_id, provider, app.client_id, has_webhook, sealed)

    def _open(self, stored: app_store.StoredApp) -> OAuthApp | None:
        try:
            opened = self.keyring.open(stored.sealed, app_aad(stored.project_id, stored.provider))
            return OAuthApp.from_sealed(json.loads(opened))
        except (SealError, ValueError, KeyError):
            log.warning(
                "oauth app unreadable",
                extra={"project_id": stored.project_id, "provider": stored.provider},
            )
            return None


def _with_new_secret(
    stored: app_store.StoredApp | None, change: AppChange | None, app: OAuthApp | None
) -> OAuthApp | None:
    """The app when the change gave a secret for the client it already had (rotated at the
    provider): the grants made with that client need it. None otherwise; a new client id
    starts afresh (the old client's grants keep its secret, still valid for that client)."""
    if change is None or not change.client_secret or stored is None or app is None:
        return None
    return app if app.client_id == stored.client_id else None


def _facts(stored: app_store.StoredApp) -> AppFacts:
    return AppFacts(stored.client_id, True, stored.has_webhook_secret)
