"""What Entra adds to a token answer beside the access token: an `id_token` when `openid` was
granted (a JWT whose signature nobody can check: the sandbox publishes no keys) carrying the
authorization request's `nonce`, and `client_info` (`{"uid", "utid"}`) when the client sends
`client_info=1`, as MSAL does to build its accounts."""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sandbox.microsoft import identifiers, resources
from sandbox.oauth.records import Grant
from sandbox.oauth.store import OAuthStore

TENANT = identifiers.TENANT_ID
_HEADER = {"typ": "JWT", "alg": "RS256", "kid": "sandbox"}
_NONCES_KEPT = 10_000


class Nonces:
    """The `nonce` of each authorization request, by the code it produced (bounded)."""

    def __init__(self) -> None:
        self._by_code: OrderedDict[str, str] = OrderedDict()

    def remember(self, code: str, nonce: str | None) -> None:
        if nonce:
            self._by_code[code] = nonce
            while len(self._by_code) > _NONCES_KEPT:
                self._by_code.popitem(last=False)

    def take(self, code: str | None) -> str | None:
        return self._by_code.pop(code, None) if code else None


def extras(
    store: OAuthStore,
    form: Mapping[str, str],
    body: Mapping[str, Any],
    issuer: str,
    nonce: str | None,
) -> dict[str, Any]:
    grant: Grant = body["_grant"]
    account = store.account(grant.account_id)
    if account is None:
        return {}
    oid = identifiers.user_object_id(account.email)
    added: dict[str, Any] = {}
    if "openid" in grant.scope.split():
        now = int(store.clock().timestamp())
        claims: dict[str, Any] = {
            "aud": grant.client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": resources.display_name(account.email),
            "oid": oid,
            "preferred_username": account.email,
            "sub": oid,
            "tid": TENANT,
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = nonce
        added["id_token"] = ".".join(
            [_part(_HEADER), _part(claims), _b64(b"sandbox-unsigned-signature")]
        )
    if form.get("client_info") == "1":
        added["client_info"] = _part({"uid": oid, "utid": TENANT})
    return added


def _part(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
