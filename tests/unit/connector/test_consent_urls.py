"""The hosted OAuth authorization URL (RFC 6749 §4.1.1 with PKCE S256): parameters per
provider, the challenge derived from the verifier, the endpoint's own query kept."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

from services.connector.domain.consent_urls import (
    ConsentRequest,
    authorization_url,
    new_verifier,
)
from services.connector.oauth.consent import GOOGLE, MICROSOFT, ZOOM


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, strict_parsing=True).items()}


def _url(
    request: ConsentRequest, endpoint: str = "https://idp.example/authorize", **extra: str
) -> str:
    return authorization_url(
        endpoint,
        request,
        client_id="client-1",
        redirect_uri="https://rollcall.example/v1/oauth/callback",
        state="state-123",
        verifier="v" * 60,
        **extra,
    )


def test_the_request_carries_client_redirect_state_and_an_s256_challenge() -> None:
    query = _query(_url(ConsentRequest("a b")))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 60).digest()).rstrip(b"=")
    assert query == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "https://rollcall.example/v1/oauth/callback",
        "scope": "a b",
        "state": "state-123",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }


def test_google_asks_offline_access_with_consent_and_read_only_calendars() -> None:
    query = _query(_url(GOOGLE, login_hint="ada@example.com"))
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert set(query["scope"].split()) == {
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.readonly",
    }
    assert query["login_hint"] == "ada@example.com"


def test_microsoft_asks_the_scopes_its_refresh_uses_and_zoom_the_apps_own() -> None:
    assert _query(_url(MICROSOFT))["scope"] == "offline_access Calendars.Read User.Read"
    zoom = _query(_url(ZOOM))
    assert "scope" not in zoom and "login_hint" not in zoom


def test_the_endpoints_own_query_is_kept() -> None:
    query = _query(_url(ZOOM, endpoint="https://idp.example/authorize?tenant=x"))
    assert query["tenant"] == "x" and query["client_id"] == "client-1"


def test_verifiers_are_long_random_and_url_safe() -> None:
    verifiers = {new_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43,128}", v) for v in verifiers)
