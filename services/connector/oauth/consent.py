"""Hosted OAuth with each provider's authorization server: where users consent, what they are
asked (`domain/consent_urls.py`), and the code exchange (RFC 6749 §4.1.3 with the PKCE verifier,
RFC 7636 §4.5) with the project's own app: authlib prepares the token request and the client
authentication, our bounded JSON HTTP (`providers/json_http.py`: time and size caps like every
provider request) sends it. (Authlib's httpx client integration is deprecated in favour of
`httpx2` as of 1.9.9; its protocol parts are not.)

Token endpoints are found as refreshes find them (`servers.py`: Google's through discovery,
Microsoft's and Zoom's fixed, with their client authentication). Failures are translated here
into `ExchangeFailed` carrying an RFC 6749 error code; never a provider text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request
from pydantic import SecretStr

from services.connector.domain.consent_urls import ConsentRequest
from services.connector.domain.oauth_apps import OAuthApp
from services.connector.oauth.servers import DiscoveredServer, OAuthServer, TokenEndpoint
from services.connector.providers import json_http, microsoft, zoom
from services.connector.providers.base import ProviderError, ProviderUnavailable
from services.connector.providers.guarded_http import HttpLimits
from shared.provider_endpoints import ProviderEndpoints

log = logging.getLogger(__name__)

# Google: a refresh token comes only with `access_type=offline`, and only at the first consent
# unless `prompt=consent` asks again (a reconnect must get one too). `openid email` names the
# account on the consent screen; the calendar is read only.
GOOGLE = ConsentRequest(
    "openid email https://www.googleapis.com/auth/calendar.readonly",
    (("access_type", "offline"), ("prompt", "consent")),
)
# Microsoft: the scopes the refresh asks for (`offline_access` brings the refresh token).
MICROSOFT = ConsentRequest(microsoft.SCOPE)
# Zoom grants the scopes configured on the app (the provider reads /users/me and meetings).
ZOOM = ConsentRequest(None)

# Token endpoint errors the client's redirect may carry as they are; others are `server_error`.
_PASSED_ON = {
    "invalid_grant": "invalid_grant",
    "invalid_client": "invalid_client",
    "unauthorized_client": "invalid_client",
    "invalid_request": "invalid_request",
    "access_denied": "access_denied",
}


class ExchangeFailed(Exception):
    """Raised when a code is not exchanged for a refresh token; `error` is the OAuth error code
    for the client (`invalid_grant`, `invalid_client`, `invalid_request`,
    `temporarily_unavailable`, `server_error`)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class ConsentServer:
    """One provider's authorization server as hosted OAuth uses it."""

    request: ConsentRequest
    token_server: OAuthServer
    authorization_endpoint: Callable[[httpx.AsyncClient], Awaitable[str]]


def consent_servers(endpoints: ProviderEndpoints, limits: HttpLimits) -> dict[str, ConsentServer]:
    """Google, Microsoft and Zoom at the configured base URLs."""
    google = DiscoveredServer(endpoints.google_oauth_base_url, limits)
    login = endpoints.microsoft_login_base_url.rstrip("/")
    zoom_base = endpoints.zoom_oauth_base_url.rstrip("/")
    return {
        "google": ConsentServer(GOOGLE, google, google.authorization_endpoint),
        "microsoft": ConsentServer(
            MICROSOFT,
            microsoft.token_server(login),
            _fixed(f"{login}/{microsoft.TENANT}/oauth2/v2.0/authorize"),
        ),
        "zoom": ConsentServer(
            ZOOM, zoom.token_server(zoom_base), _fixed(f"{zoom_base}/oauth/authorize")
        ),
    }


def _fixed(url: str) -> Callable[[httpx.AsyncClient], Awaitable[str]]:
    async def endpoint(client: httpx.AsyncClient) -> str:
        return url

    return endpoint


async def authorization_endpoint(
    server: ConsentServer, limits: HttpLimits, transport: httpx.AsyncBaseTransport | None
) -> str:
    """Where the provider's users consent; raises `ProviderError` (discovery failing)."""
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        return await server.authorization_endpoint(client)


async def exchange_code(
    server: ConsentServer,
    app: OAuthApp,
    *,
    code: str,
    redirect_uri: str,
    verifier: str,
    limits: HttpLimits,
    transport: httpx.AsyncBaseTransport | None,
) -> SecretStr:
    """The refresh token the code is worth (discovery and the token request each within
    `limits`); raises `ExchangeFailed`."""
    try:
        async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
            endpoint = await server.token_server.token_endpoint(client)
            request = _token_request(client, endpoint, app, code, redirect_uri, verifier)
            answer = await json_http.send(client, request, limits)
    except ProviderUnavailable:
        raise ExchangeFailed("temporarily_unavailable") from None
    except ProviderError:
        raise ExchangeFailed("server_error") from None
    return _refresh_token(answer)


def _token_request(
    client: httpx.AsyncClient,
    endpoint: TokenEndpoint,
    app: OAuthApp,
    code: str,
    redirect_uri: str,
    verifier: str,
) -> httpx.Request:
    """RFC 6749 §4.1.3 with the verifier (RFC 7636 §4.5) and the endpoint's own parameters
    (Microsoft's scope); the client authenticates with HTTP Basic where the provider wants it
    (Zoom), else in the body (§2.3.1)."""
    body = prepare_token_request(
        "authorization_code",
        redirect_uri=redirect_uri,
        code=code,
        code_verifier=verifier,
        **dict(endpoint.extra),
    )
    method = "client_secret_basic" if endpoint.basic_auth else "client_secret_post"
    auth = ClientAuth(app.client_id, app.client_secret.get_secret_value(), method)
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    _, headers, body = auth.prepare("POST", endpoint.url, headers, body)
    return client.build_request("POST", endpoint.url, content=body.encode(), headers=headers)


def _refresh_token(answer: json_http.Answer) -> SecretStr:
    """The answer's refresh token; errors (RFC 6749 §5.2) as `ExchangeFailed`."""
    if answer.status == 429 or answer.status >= 500:
        raise ExchangeFailed("temporarily_unavailable")
    if answer.status != 200:
        error = answer.error_object().get("error")
        raise ExchangeFailed(
            _PASSED_ON.get(error, "server_error") if isinstance(error, str) else "server_error"
        )
    try:
        body = answer.json()
    except ProviderError:
        raise ExchangeFailed("server_error") from None
    token = body.get("refresh_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        log.warning("code exchanged without a refresh token")
        raise ExchangeFailed("server_error")
    return SecretStr(token)
