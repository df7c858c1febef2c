"""The authorization request of hosted OAuth (RFC 6749 §4.1.1 with PKCE S256, RFC 7636 §4):
what each provider's consent screen is asked for, the verifier, and the URL. Pure.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

# RFC 7636 §4.1: 43 to 128 unreserved characters; 64 random bytes give 86.
_VERIFIER_BYTES = 64


@dataclass(frozen=True)
class ConsentRequest:
    """What a provider's consent screen is asked: `scope` (None: the scopes configured on the
    app, as Zoom grants them) and extra authorization parameters."""

    scope: str | None
    params: tuple[tuple[str, str], ...] = ()


def new_verifier() -> str:
    """A fresh PKCE code verifier (high entropy, URL-safe)."""
    return secrets.token_urlsafe(_VERIFIER_BYTES)


def authorization_url(
    endpoint: str,
    request: ConsentRequest,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    verifier: str,
    login_hint: str | None = None,
) -> str:
    """The URL that sends the user to the provider's consent screen; the provider sends them
    back to `redirect_uri` with `code` and `state`."""
    extra = dict(request.params)
    if login_hint:
        extra["login_hint"] = login_hint
    uri: str = prepare_grant_uri(
        endpoint,
        client_id=client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=request.scope,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        **extra,
    )
    return uri
