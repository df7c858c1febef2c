"""Entra ID (v2) endpoints under `/microsoft/login/{tenant}`: authorize (auto-consent for the
account named by `login_hint`), token (authorization code with PKCE, rotating refresh tokens) and
the OpenID configuration MSAL reads, answering AADSTS bodies (providers.md §2.1) on top of the
shared `OAuthStore`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sandbox.microsoft import aadsts, id_tokens, scopes
from sandbox.microsoft.aadsts import EntraRefusal
from sandbox.oauth import pkce
from sandbox.oauth.conventions import token_shape
from sandbox.oauth.errors import InvalidClient, InvalidGrant, UnauthorizedClient
from sandbox.oauth.records import App
from sandbox.oauth.store import OAuthStore
from sandbox.oauth.token_request import client_credentials, read_form
from sandbox.settings import SandboxSettings

PROVIDER = "microsoft"
PREFIX = "/microsoft/login"
TENANT_ALIASES = ("common", "organizations", "consumers")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.I)
INVALID_GRANT = "Provided grant is invalid or malformed."
MALFORMED = "Invalid request. Request is malformed or invalid."
EXPIRED = (
    "The provided authorization code or refresh token has expired due to inactivity. Send a new "
    "interactive authorization request for this user and resource."
)


def oauth_router(store: OAuthStore, settings: SandboxSettings) -> APIRouter:
    router = APIRouter(prefix=PREFIX + "/{tenant}", tags=["microsoft oauth"])
    nonces = id_tokens.Nonces()

    @router.get("/oauth2/v2.0/authorize")
    async def authorize(tenant: str, request: Request) -> Response:
        try:
            check_tenant(tenant)
            params = request.query_params
            location = consent(store, params)
            nonces.remember(location.code, params.get("nonce"))
            return RedirectResponse(location.url, status_code=302)
        except EntraRefusal as refusal:
            return refusal.response(store.clock())

    @router.post("/oauth2/v2.0/token")
    async def token(tenant: str, request: Request) -> Response:
        try:
            check_tenant(tenant)
            form = await read_form(request)
            app = authenticated_app(store, *client_credentials(request, form))
            body = exchange(store, settings, app, form)
            body |= id_tokens.extras(
                store, form, body, _issuer(request, id_tokens.TENANT), nonces.take(form.get("code"))
            )
            body.pop("_grant", None)
            return JSONResponse(body, 200, aadsts.NO_STORE)
        except EntraRefusal as refusal:
            return refusal.response(store.clock())

    @router.get("/v2.0/.well-known/openid-configuration")
    async def openid_configuration(tenant: str, request: Request) -> Response:
        try:
            check_tenant(tenant)
        except EntraRefusal as refusal:
            return refusal.response(store.clock())
        return JSONResponse(discovery(request, tenant))

    return router


def check_tenant(tenant: str) -> None:
    if tenant in TENANT_ALIASES or _GUID.match(tenant) or _DOMAIN.match(tenant):
        return
    raise EntraRefusal(
        400,
        "invalid_tenant",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
        "signing into the correct cloud.",
    )


class Consented:
    def __init__(self, url: str, code: str) -> None:
        self.url, self.code = url, code


def consent(store: OAuthStore, params: Mapping[str, str]) -> Consented:
    """The redirect carrying a new code. Refusals are shown (as JSON), never redirected."""
    client_id = required(params, "client_id")
    app = store.app(client_id)
    if app is None or app.provider != PROVIDER:
        raise unknown_app(client_id)
    redirect_uri = required(params, "redirect_uri")
    if not app.accepts_redirect(redirect_uri):
        raise EntraRefusal(
            400,
            "invalid_request",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{client_id}'.",
        )
    if required(params, "response_type") != "code":
        raise EntraRefusal(
            400, "unsupported_response_type", 700054, "Only response_type=code is emulated."
        )
    scope = scopes.normalize(required(params, "scope"))
    challenge, method = code_challenge(params)
    account = store.account_by_email(PROVIDER, required(params, "login_hint"))
    if account is None:
        raise EntraRefusal(
            400,
            "invalid_request",
            50034,
            f"The user account {params['login_hint']} does not exist in the directory: create it "
            "with POST /_admin/accounts.",
        )
    code = store.issue_code(app, account, redirect_uri, scope, challenge, method)
    query = {"code": code}
    if "state" in params:
        query["state"] = params["state"]
    query["session_state"] = "00000000-0000-0000-0000-000000000000"
    url = redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query)
    return Consented(url, code)


def code_challenge(params: Mapping[str, str]) -> tuple[str | None, pkce.ChallengeMethod]:
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or "plain"
    if method not in pkce.METHODS:
        raise EntraRefusal(
            400, "invalid_request", 50148, "The code_challenge_method is not supported."
        )
    if challenge is None:
        return None, "plain"
    return challenge, "S256" if method == "S256" else "plain"


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise aadsts.missing(name)
    return value


def unknown_app(client_id: str) -> EntraRefusal:
    return EntraRefusal(
        400,
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory 'Sandbox'. "
        "This can happen if the application has not been installed by the administrator of the "
        "tenant or consented to by any user in the tenant.",
    )


def authenticated_app(store: OAuthStore, client_id: str | None, secret: str | None) -> App:
    if not client_id:
        raise aadsts.missing("client_id")
    if not secret:
        raise EntraRefusal(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )
    try:
        app = store.authenticate(client_id, secret)
    except InvalidClient as refused:
        if refused.unknown:
            raise unknown_app(client_id) from refused
        raise EntraRefusal(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the "
            f"client secret value, not the client secret ID, for a secret added to app "
            f"'{client_id}'.",
        ) from refused
    if app.provider != PROVIDER:
        raise unknown_app(client_id)
    return app


def exchange(
    store: OAuthStore, settings: SandboxSettings, app: App, form: Mapping[str, str]
) -> dict[str, Any]:
    grant_type = required(form, "grant_type")
    try:
        if grant_type == "authorization_code":
            code = required(form, "code")
            redeemed = store.redeem_code(
                app, code, form.get("redirect_uri"), form.get("code_verifier")
            )
            grant, access = redeemed.grant, redeemed.access_token
            refresh_token: str | None = grant.refresh_token
        elif grant_type == "refresh_token":
            presented = required(form, "refresh_token")
            if not presented.startswith(token_shape(PROVIDER).refresh):
                raise EntraRefusal(400, "invalid_grant", 9002313, MALFORMED)
            refreshed = store.refresh(
                app,
                presented,
                rotate=True,
                keep_old=settings.microsoft_keep_rotated_refresh_tokens,
            )
            grant, access = refreshed.grant, refreshed.access_token
            refresh_token = refreshed.refresh_token
        else:
            raise EntraRefusal(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
    except InvalidGrant as refused:
        raise grant_refusal(refused, app) from refused
    except UnauthorizedClient as refused:
        raise EntraRefusal(400, "invalid_grant", 70000, INVALID_GRANT) from refused
    expires_in = access.expires_in(store.clock())
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": scopes.token_scope(access.scope),
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access.token,
        "_grant": grant,
    }
    if refresh_token is not None and "offline_access" in grant.scope.split():
        body["refresh_token"] = refresh_token
    return body


def grant_refusal(refused: InvalidGrant, app: App) -> EntraRefusal:
    """AADSTS codes for why a code or refresh token is refused (providers.md §2.1)."""
    if refused.ended == "revoked":
        return EntraRefusal(
            400,
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is "
            "needed. The user might have changed or reset their password.",
        )
    if refused.ended == "expired":
        return EntraRefusal(
            400,
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity. The token was issued on a date "
            "and was inactive for 90.00:00:00.",
        )
    if refused.ended == "consent_revoked":
        return EntraRefusal(
            400,
            "invalid_grant",
            65001,
            f"The user or administrator has not consented to use the application with ID "
            f"'{app.client_id}' named 'Sandbox app'. Send an interactive authorization request "
            "for this user and resource.",
            suberror="consent_required",
        )
    return {
        "rotated_refresh_token": EntraRefusal(400, "invalid_grant", 70008, EXPIRED),
        "expired_code": EntraRefusal(400, "invalid_grant", 70008, EXPIRED),
        "used_code": EntraRefusal(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code "
            "or use an existing refresh token.",
        ),
        "verifier_missing": EntraRefusal(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization "
            "request.",
        ),
        "verifier_mismatch": EntraRefusal(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization "
            "request.",
        ),
        "redirect_mismatch": EntraRefusal(
            400,
            "invalid_grant",
            50011,
            "The redirect URI specified in the request does not match the redirect URI the "
            "authorization code was issued for.",
        ),
        "malformed_code": EntraRefusal(400, "invalid_grant", 9002313, MALFORMED),
    }.get(refused.problem, EntraRefusal(400, "invalid_grant", 70000, INVALID_GRANT))


def discovery(request: Request, tenant: str) -> dict[str, Any]:
    """The OpenID configuration (`…/v2.0/.well-known/openid-configuration`) MSAL reads."""
    base = f"{str(request.base_url).rstrip('/')}{PREFIX}/{tenant}"
    issuer_tenant = "{tenantid}" if tenant in TENANT_ALIASES else id_tokens.TENANT
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": _issuer(request, issuer_tenant),
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "tid", "name"],
        "tenant_region_scope": None,
        "cloud_instance_name": "microsoftonline.com",
        "code_challenge_methods_supported": ["plain", "S256"],
    }


def _issuer(request: Request, tenant: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{PREFIX}/{tenant}/v2.0"
