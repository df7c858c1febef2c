"""Google's OAuth endpoints under `/google`: discovery (`/.well-known/openid-configuration`, as
published on `accounts.google.com`), consent (`/o/oauth2/v2/auth`, which auto-consents for the
account named by `login_hint`), token (`/oauth2/token`) and revoke (`/oauth2/revoke`), answering
with Google's error bodies (providers.md §1.1) on top of the shared `OAuthStore`."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sandbox.oauth import pkce
from sandbox.oauth.errors import GrantProblem, InvalidClient, InvalidGrant, UnauthorizedClient
from sandbox.oauth.records import AccessToken, App, Grant
from sandbox.oauth.store import OAuthStore
from sandbox.oauth.token_request import client_credentials, read_form

PROVIDER = "google"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1
DEAD_TOKEN = "Token has been expired or revoked."  # noqa: S105 (an error message)
GRANT_DESCRIPTIONS: dict[GrantProblem, str] = {
    "malformed_code": "Malformed auth code.",
    "verifier_missing": "Missing code verifier.",
    "verifier_mismatch": "Invalid code verifier.",
    "dead_refresh_token": DEAD_TOKEN,
    "rotated_refresh_token": DEAD_TOKEN,  # never happens: Google does not rotate
}


class OAuthRefusal(Exception):
    """Raised inside this module to answer `{"error", "error_description"}` with `status`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, self.status, NO_STORE)


def oauth_router(store: OAuthStore) -> APIRouter:
    router = APIRouter(prefix=f"/{PROVIDER}", tags=["google oauth"])

    @router.get("/.well-known/openid-configuration")
    async def openid_configuration(request: Request) -> Response:
        return JSONResponse(discovery_document(str(request.base_url).rstrip("/")))

    @router.get("/o/oauth2/v2/auth")
    async def authorize(request: Request) -> Response:
        try:
            return RedirectResponse(consent(store, request.query_params), status_code=302)
        except OAuthRefusal as refusal:
            return refusal.response()

    @router.post("/oauth2/token")
    async def token(request: Request) -> Response:
        try:
            form = await read_form(request)
            body = exchange(store, form, client_credentials(request, form))
            return JSONResponse(body, 200, NO_STORE)
        except OAuthRefusal as refusal:
            return refusal.response()

    @router.post("/oauth2/revoke")
    async def revoke(request: Request) -> Response:
        form = await read_form(request)
        token = request.query_params.get("token") or form.get("token", "")
        if not store.revoke_token(token):
            return OAuthRefusal(400, "invalid_token", "Token expired or revoked").response()
        return JSONResponse({})

    return router


# Discovery


def discovery_document(base_url: str) -> dict[str, object]:
    """Google's OpenID Provider metadata (the fields clients read), with every endpoint on the
    sandbox at `base_url` (where the real document names accounts.google.com and
    oauth2.googleapis.com). Not emulated: OpenID itself (no `id_token`, JWKS or userinfo)."""
    root = f"{base_url}/{PROVIDER}"
    return {
        "issuer": root,
        "authorization_endpoint": f"{root}/o/oauth2/v2/auth",
        "token_endpoint": f"{root}/oauth2/token",
        "revocation_endpoint": f"{root}/oauth2/revoke",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "scopes_supported": ["openid", "email", "profile"],
    }


# Consent


def consent(store: OAuthStore, params: Mapping[str, str]) -> str:
    """The redirect location carrying a new code; Google shows its errors on its own page rather
    than redirecting, and so does the sandbox (as JSON)."""
    app = consenting_app(store, params)
    redirect_uri = params["redirect_uri"]
    scope = required(params, "scope")
    if required(params, "response_type") != "code":
        raise OAuthRefusal(400, "unsupported_response_type", "Only response_type=code is emulated.")
    challenge, method = code_challenge(params)
    account = store.account_by_email(PROVIDER, required(params, "login_hint"))
    if account is None:
        missing = f"No sandbox account {params['login_hint']}: create it with POST /_admin/accounts"
        raise OAuthRefusal(400, "access_denied", missing)
    offline = params.get("access_type") == "offline"
    code = store.issue_code(app, account, redirect_uri, scope, challenge, method, offline=offline)
    query = {"code": code, "scope": scope}
    if "state" in params:
        query["state"] = params["state"]
    return redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query)


def consenting_app(store: OAuthStore, params: Mapping[str, str]) -> App:
    app = store.app(required(params, "client_id"))
    if app is None or app.provider != PROVIDER:
        raise OAuthRefusal(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = required(params, "redirect_uri")
    if not app.accepts_redirect(redirect_uri):
        raise OAuthRefusal(
            400,
            "redirect_uri_mismatch",
            f"The redirect URI in the request, {redirect_uri}, does not match the ones "
            "authorized for the OAuth client.",
        )
    return app


def code_challenge(params: Mapping[str, str]) -> tuple[str | None, pkce.ChallengeMethod]:
    """RFC 7636 §4.3: the method defaults to `plain` when only a challenge is sent."""
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or "plain"
    if method not in pkce.METHODS:
        raise OAuthRefusal(400, "invalid_request", "Invalid code_challenge_method value.")
    if challenge is None:
        if "code_challenge_method" in params:
            raise OAuthRefusal(400, "invalid_request", "Missing required parameter: code_challenge")
        return None, "plain"
    if not 43 <= len(challenge) <= 128:
        raise OAuthRefusal(400, "invalid_request", "Invalid code_challenge value.")
    return challenge, "S256" if method == "S256" else "plain"


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise OAuthRefusal(400, "invalid_request", f"Missing required parameter: {name}")
    return value


# Token


def exchange(
    store: OAuthStore, form: Mapping[str, str], credentials: tuple[str | None, str | None]
) -> dict[str, str | int]:
    grant_type = form.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthRefusal(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    app = authenticated_app(store, *credentials)
    try:
        if grant_type == "authorization_code":
            return redeem(store, app, form)
        refreshed = store.refresh(app, required(form, "refresh_token"))
        return token_body(store, refreshed.grant, refreshed.access_token, with_refresh_token=False)
    except InvalidGrant as refused:
        description = GRANT_DESCRIPTIONS.get(refused.problem, "Bad Request")
        raise OAuthRefusal(400, "invalid_grant", description) from refused
    except UnauthorizedClient as refused:
        raise OAuthRefusal(400, "unauthorized_client", "Unauthorized") from refused


def authenticated_app(store: OAuthStore, client_id: str | None, secret: str | None) -> App:
    if not client_id:
        raise OAuthRefusal(400, "invalid_request", "Could not determine client ID from request.")
    if not secret:
        raise OAuthRefusal(400, "invalid_request", "client_secret is missing.")
    try:
        app = store.authenticate(client_id, secret)
    except InvalidClient as refused:
        description = "The OAuth client was not found." if refused.unknown else "Unauthorized"
        raise OAuthRefusal(401, "invalid_client", description) from refused
    if app.provider != PROVIDER:
        raise OAuthRefusal(401, "invalid_client", "The OAuth client was not found.")
    return app


def redeem(store: OAuthStore, app: App, form: Mapping[str, str]) -> dict[str, str | int]:
    code = required(form, "code")
    redirect_uri = required(form, "redirect_uri")
    redeemed = store.redeem_code(app, code, redirect_uri, form.get("code_verifier"))
    return token_body(
        store, redeemed.grant, redeemed.access_token, with_refresh_token=redeemed.offline
    )


def token_body(
    store: OAuthStore, grant: Grant, access: AccessToken, *, with_refresh_token: bool
) -> dict[str, str | int]:
    """Google returns a refresh token only from an offline code exchange and never rotates it."""
    body: dict[str, str | int] = {
        "access_token": access.token,
        "expires_in": access.expires_in(store.clock()),
        "scope": access.scope,
        "token_type": "Bearer",
    }
    if with_refresh_token:
        body["refresh_token"] = grant.refresh_token
    return body
