"""Zoom's OAuth endpoints under `/zoom/oauth`: authorize (auto-consent for the account named by
`login_hint`), token (HTTP Basic client authentication, rotating refresh tokens) and revoke,
answering with Zoom's `{"reason", "error"}` bodies (providers.md §4,
https://developers.zoom.us/docs/integrations/oauth/) on top of the shared `OAuthStore`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sandbox.oauth import conventions, pkce
from sandbox.oauth.errors import InvalidClient, InvalidGrant, UnauthorizedClient
from sandbox.oauth.records import AccessToken, App
from sandbox.oauth.store import OAuthStore
from sandbox.oauth.token_request import basic_credentials, read_form

PROVIDER = "zoom"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1
INVALID_TOKEN = "Invalid Token!"  # noqa: S105 (an error message)
BAD_CODE = "Invalid authorization code"
BAD_CLIENT = "Invalid client_id or client_secret"


class ZoomOAuthRefusal(Exception):
    """Raised inside this module to answer `{"reason", "error"}` with `status`."""

    def __init__(self, error: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status, self.error, self.reason = status, error, reason

    def response(self) -> JSONResponse:
        return JSONResponse({"reason": self.reason, "error": self.error}, self.status, NO_STORE)


def oauth_router(
    store: OAuthStore, dead_token_error: Literal["invalid_request", "invalid_grant"]
) -> APIRouter:
    router = APIRouter(prefix=f"/{PROVIDER}/oauth", tags=["zoom oauth"])

    @router.get("/authorize")
    async def authorize(request: Request) -> Response:
        try:
            return RedirectResponse(consent(store, request.query_params), status_code=302)
        except ZoomOAuthRefusal as refusal:
            return refusal.response()

    @router.post("/token")
    async def token(request: Request) -> Response:
        try:
            app = basic_client(store, request)
            form = await read_form(request)
            access, refresh_token = exchange(store, app, form, dead_token_error)
            return JSONResponse(token_body(store, request, access, refresh_token), 200, NO_STORE)
        except ZoomOAuthRefusal as refusal:
            return refusal.response()

    @router.post("/revoke")
    async def revoke(request: Request) -> Response:
        try:
            basic_client(store, request)
            form = await read_form(request)
            token = request.query_params.get("token") or form.get("token", "")
            if not store.revoke_token(token):
                raise ZoomOAuthRefusal("invalid_request", INVALID_TOKEN)
            return JSONResponse({"status": "success"}, 200, NO_STORE)
        except ZoomOAuthRefusal as refusal:
            return refusal.response()

    return router


# Authorize


def consent(store: OAuthStore, params: Mapping[str, str]) -> str:
    """The redirect location carrying a new code. Refusals are shown, not redirected (Zoom shows
    its own error page; the sandbox answers JSON)."""
    app = store.app(params.get("client_id", ""))
    if app is None or app.provider != PROVIDER:
        raise ZoomOAuthRefusal("invalid_client", "Invalid client_id")
    redirect_uri = params.get("redirect_uri", "")
    if not app.accepts_redirect(redirect_uri):
        raise ZoomOAuthRefusal("invalid_request", "Redirect URI mismatch.")
    if params.get("response_type") != "code":
        raise ZoomOAuthRefusal("unsupported_response_type", "Unsupported response type")
    challenge, method = code_challenge(params)
    account = store.account_by_email(PROVIDER, params.get("login_hint", ""))
    if account is None:
        raise ZoomOAuthRefusal(
            "access_denied",
            "No sandbox account named by login_hint: create it with POST /_admin/accounts",
        )
    scope = params.get("scope") or conventions.DEFAULT_SCOPES[PROVIDER]
    code = store.issue_code(app, account, redirect_uri, scope, challenge, method)
    query = {"code": code}
    if "state" in params:
        query["state"] = params["state"]
    return redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query)


def code_challenge(params: Mapping[str, str]) -> tuple[str | None, pkce.ChallengeMethod]:
    """RFC 7636 §4.3, as Zoom documents it: the method defaults to `plain`."""
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or "plain"
    if method not in pkce.METHODS:
        raise ZoomOAuthRefusal("invalid_request", "Invalid code_challenge_method")
    if challenge is None:
        return None, "plain"
    if not 43 <= len(challenge) <= 128:
        raise ZoomOAuthRefusal("invalid_request", "Invalid code_challenge")
    return challenge, "S256" if method == "S256" else "plain"


# Token


def basic_client(store: OAuthStore, request: Request) -> App:
    """The app authenticated by HTTP Basic, the only client authentication Zoom documents:
    credentials in the body alone are refused."""
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None:
        raise ZoomOAuthRefusal("invalid_request", "Client ID or client secret is missing.")
    try:
        app = store.authenticate(*credentials)
    except InvalidClient as refused:
        raise ZoomOAuthRefusal("invalid_client", BAD_CLIENT) from refused
    if app.provider != PROVIDER:
        raise ZoomOAuthRefusal("invalid_client", BAD_CLIENT)
    return app


def exchange(
    store: OAuthStore, app: App, form: Mapping[str, str], dead_token_error: str
) -> tuple[AccessToken, str]:
    """(access token, refresh token) for a code or a refresh token; Zoom rotates the refresh
    token on every refresh and the presented one dies."""
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise ZoomOAuthRefusal("invalid_request", "Missing grant type")
    if grant_type == "authorization_code":
        return redeem(store, app, form)
    if grant_type != "refresh_token":
        raise ZoomOAuthRefusal("unsupported_grant_type", "Unsupported grant type")
    try:
        refreshed = store.refresh(app, form.get("refresh_token", ""), rotate=True)
    except (InvalidGrant, UnauthorizedClient) as refused:
        raise ZoomOAuthRefusal(dead_token_error, INVALID_TOKEN) from refused
    assert refreshed.refresh_token is not None  # rotate=True always yields one
    return refreshed.access_token, refreshed.refresh_token


def redeem(store: OAuthStore, app: App, form: Mapping[str, str]) -> tuple[AccessToken, str]:
    code = form.get("code", "")
    if not code:
        raise ZoomOAuthRefusal("invalid_request", "Missing code")
    try:
        redeemed = store.redeem_code(app, code, form.get("redirect_uri"), form.get("code_verifier"))
    except InvalidGrant as refused:
        if refused.problem == "redirect_mismatch":
            raise ZoomOAuthRefusal("invalid_request", "Redirect URI mismatch.") from refused
        if refused.problem in ("verifier_missing", "verifier_mismatch"):
            raise ZoomOAuthRefusal("invalid_grant", "Invalid code verifier") from refused
        raise ZoomOAuthRefusal("invalid_grant", BAD_CODE) from refused
    return redeemed.access_token, redeemed.grant.refresh_token


def token_body(
    store: OAuthStore, request: Request, access: AccessToken, refresh_token: str
) -> dict[str, str | int]:
    """Zoom's token answer. `api_url` is where the user's API lives (regional at Zoom): here the
    sandbox's own `/zoom` prefix, so clients that honour it stay on the sandbox."""
    return {
        "access_token": access.token,
        "token_type": "bearer",
        "refresh_token": refresh_token,
        "expires_in": access.expires_in(store.clock()),
        "scope": access.scope,
        "api_url": str(request.base_url).rstrip("/") + f"/{PROVIDER}",
    }
