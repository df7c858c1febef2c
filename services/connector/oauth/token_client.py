"""The token request (RFC 6749 §6, refresh_token grant) and its answer, errors translated at
this boundary: `invalid_grant` (or an error `reason` the endpoint names as a dead grant, Zoom's
`Invalid Token!`) → `InvalidGrant` (the caller re-reads the grant before giving
up), `invalid_client` / `unauthorized_client` → `ClientRejected`, 429 → `ProviderThrottled`,
5xx and transport failures → `ProviderUnavailable`. Texts are fixed, never the provider's.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx
from pydantic import SecretStr

from services.connector.oauth.credentials import OAuthCredentials
from services.connector.oauth.servers import TokenEndpoint
from services.connector.providers import json_http
from services.connector.providers.base import (
    ClientRejected,
    ProviderError,
    ProviderThrottled,
    ProviderUnavailable,
)
from services.connector.providers.guarded_http import HttpLimits

DEFAULT_EXPIRES_IN = 3600.0
_CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client"})
# Errors only the user can clear by signing in again (OpenID Connect Core §3.1.2.6; Entra
# answers them for MFA, conditional access and withdrawn consent): as dead as `invalid_grant`,
# never worth retrying at every poll.
_USER_ACTION_ERRORS = frozenset({"interaction_required", "consent_required", "login_required"})


class InvalidGrant(Exception):
    """Raised when the token endpoint answers `invalid_grant`: this refresh token is dead."""


@dataclass(frozen=True)
class TokenAnswer:
    """A successful refresh: the access token, its lifetime, and a rotated refresh token."""

    access_token: SecretStr
    expires_in: float
    refresh_token: SecretStr | None

    def __repr__(self) -> str:
        return f"TokenAnswer(expires_in={self.expires_in})"


async def refresh(
    client: httpx.AsyncClient,
    endpoint: TokenEndpoint,
    credentials: OAuthCredentials,
    limits: HttpLimits,
) -> TokenAnswer:
    """Exchange the refresh token for an access token (one request, within `limits`)."""
    answer = await json_http.send(client, _request(client, endpoint, credentials), limits)
    if answer.status == 200:
        return _token_answer(answer.json())
    if answer.status == 429:
        raise ProviderThrottled("token endpoint throttled", json_http.retry_after(answer.headers))
    if answer.status >= 500:
        raise ProviderUnavailable(f"token endpoint answered HTTP {answer.status}")
    body = answer.error_object()
    error = body.get("error")
    if (
        error == "invalid_grant"
        or error in _USER_ACTION_ERRORS
        or body.get("reason") in endpoint.dead_grant_reasons
    ):
        raise InvalidGrant("the token endpoint refused the refresh token")
    if error in _CLIENT_ERRORS:
        raise ClientRejected("the token endpoint refused the client")
    raise ProviderError(f"token endpoint answered HTTP {answer.status}")


def _request(
    client: httpx.AsyncClient, endpoint: TokenEndpoint, credentials: OAuthCredentials
) -> httpx.Request:
    form = {"grant_type": "refresh_token", "refresh_token": _secret(credentials.refresh_token)}
    form.update(endpoint.extra)
    secret = _secret(credentials.client_secret)
    headers = {"Accept": "application/json"}
    if endpoint.basic_auth:
        headers["Authorization"] = _basic(credentials.client_id, secret)
    else:
        form.update(client_id=credentials.client_id, client_secret=secret)
    return client.build_request("POST", endpoint.url, data=form, headers=headers)


def _basic(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: both parts form-encoded, then HTTP Basic."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _secret(value: SecretStr) -> str:
    return value.get_secret_value()


def _token_answer(body: object) -> TokenAnswer:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ProviderError("the token endpoint answered without an access token")
    expires_in = body.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) else DEFAULT_EXPIRES_IN
    rotated = body.get("refresh_token")
    return TokenAnswer(
        access_token=SecretStr(body["access_token"]),
        expires_in=lifetime,
        refresh_token=SecretStr(rotated) if isinstance(rotated, str) and rotated else None,
    )
