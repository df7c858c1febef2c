"""An OAuth app's new client secret reaching the grants made with it: a grant holds its own copy
of `{client_id, client_secret, refresh_token}` (hosted OAuth copies the project's app into it),
so when a project's app keeps its `client_id` and gets a new `client_secret` (rotated at the
provider), the project's grants of that provider and client are re-sealed with it, in the app
change's transaction (`ProjectApps.change`). Otherwise every such calendar would meet
`invalid_client` at its next token refresh. Cached access tokens stay valid and are kept.
"""

from __future__ import annotations

import json
import logging

from pydantic import SecretStr

from services.connector import grant_store
from services.connector.credentials import Keyring, Sealed, SealError, associated_data
from services.connector.oauth.credentials import OAuthCredentials
from shared.db import types as db

log = logging.getLogger(__name__)


async def reseal_with_client_secret(
    conn: db.Connection,
    keyring: Keyring,
    project_id: str,
    provider: str,
    client_id: str,
    client_secret: SecretStr,
) -> int:
    """Give the project's `provider` grants whose credentials name `client_id` the client's
    `client_secret`; returns how many changed. The accounts' locks come first, in account
    order, then the grant rows, as registrations and syncs take them (so neither deadlocks
    with this nor chooses between an account's grants meanwhile)."""
    accounts = await grant_store.client_accounts(conn, project_id, provider, client_id)
    for account in accounts:
        await grant_store.lock_account(conn, project_id, provider, account)
    changed = 0
    for grant in await grant_store.lock_grants_of_accounts(conn, project_id, provider, accounts):
        sealed = _with_client_secret(keyring, grant, client_id, client_secret)
        if sealed is not None:
            await grant_store.replace_credentials(conn, grant.id, sealed)
            changed += 1
    return changed


def _with_client_secret(
    keyring: Keyring, grant: grant_store.StoredGrant, client_id: str, client_secret: SecretStr
) -> Sealed | None:
    """The grant's credentials sealed anew with the secret, or None when the grant is of
    another client, already holds it, or does not open (logged: it keeps what it has)."""
    aad = associated_data(grant.project_id, grant.id, grant.provider)
    try:
        raw = json.loads(keyring.open(grant.sealed, aad))
        credentials = OAuthCredentials.model_validate(raw)
    except (SealError, ValueError):  # pydantic's ValidationError is a ValueError
        log.warning("grant unreadable, its client secret is left", extra={"grant_id": grant.id})
        return None
    if credentials.client_id != client_id or credentials.client_secret == client_secret:
        return None
    return keyring.seal(credentials.with_client_secret(client_secret).sealable(), aad)
