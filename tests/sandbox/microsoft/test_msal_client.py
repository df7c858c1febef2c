"""Proof: Microsoft's own `msal` (ConfidentialClientApplication) signs in, redeems a PKCE code and
refreshes against a real running sandbox served over TLS (msal insists on https), only the
authority pointed at it; the access token it gets calls Graph, and the refresh token it replaces
is refused as Entra does (rotation).

The authority `https://<sandbox>/microsoft/login/common` makes msal read
`…/common/v2.0/.well-known/openid-configuration` (instance discovery off, authority not
validated) and use the endpoints listed there. The TLS certificate is a throwaway one from
`trustme`, whose CA msal's `requests` session is told to trust.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import msal  # type: ignore[import-untyped]
import pytest
import requests
import trustme
import uvicorn

from rollcall.dev.ports import free_port
from sandbox.app import create_app
from sandbox.microsoft import microsoft_provider
from sandbox.settings import SandboxSettings

REDIRECT = "http://localhost:8765/auth/callback"
SCOPES = [
    "https://graph.microsoft.com/Calendars.ReadWrite",
    "https://graph.microsoft.com/User.Read",
]


@dataclass
class Sandbox:
    url: str
    ca_path: str
    admin: httpx.Client


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    key_path, cert_path, ca_path = folder / "key.pem", folder / "cert.pem", folder / "ca.pem"
    cert.private_key_pem.write_to_path(str(key_path))
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    ca.cert_pem.write_to_path(str(ca_path))
    app = create_app(SandboxSettings(), providers=[functools.partial(microsoft_provider)])
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ssl_keyfile=str(key_path),
        ssl_certfile=str(cert_path),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the sandbox did not start"
        time.sleep(0.02)
    url = f"https://127.0.0.1:{port}"
    with httpx.Client(
        base_url=url, verify=ssl.create_default_context(cafile=str(ca_path)), timeout=10
    ) as admin:
        yield Sandbox(url, str(ca_path), admin)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[requests.Session]:
    """msal's HTTP session. msal's own `verify=` loses to REQUESTS_CA_BUNDLE when that is set
    (requests merges the environment over the session), so this one ignores the environment."""
    with requests.Session() as found:
        found.trust_env = False
        found.verify = sandbox.ca_path
        yield found


def application(
    sandbox: Sandbox, session: requests.Session, client_id: str, secret: str
) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        authority=f"{sandbox.url}/microsoft/login/common",
        validate_authority=False,
        instance_discovery=False,
        http_client=session,
    )


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")
def test_msal_signs_in_calls_graph_and_refreshes(
    sandbox: Sandbox, session: requests.Session
) -> None:
    created = sandbox.admin.post(
        "/_admin/accounts", json={"provider": "microsoft", "email": "ada@example.com"}
    ).json()
    app = application(sandbox, session, created["client_id"], created["client_secret"])
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT, login_hint="ada@example.com")
    assert flow["auth_uri"].startswith(
        f"{sandbox.url}/microsoft/login/common/oauth2/v2.0/authorize"
    )
    consent = sandbox.admin.get(flow["auth_uri"])  # a browser would follow this redirect
    assert consent.status_code == 302
    answer = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers["location"]).query).items()}
    result = app.acquire_token_by_auth_code_flow(flow, answer)  # PKCE and nonce checked by msal
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == "ada@example.com"
    [account] = app.get_accounts()
    assert account["username"] == "ada@example.com"

    me = sandbox.admin.get(
        "/microsoft/v1.0/me", headers={"Authorization": f"Bearer {result['access_token']}"}
    )
    assert me.json()["mail"] == "ada@example.com"

    refreshed = app.acquire_token_by_refresh_token(result["refresh_token"], SCOPES)
    assert "access_token" in refreshed, refreshed
    assert refreshed["refresh_token"] != result["refresh_token"]
    reused = app.acquire_token_by_refresh_token(result["refresh_token"], SCOPES)
    assert reused["error"] == "invalid_grant"
    assert reused["error_codes"] == [70008]
    assert reused["error_description"].startswith("AADSTS70008: ")
