"""Hosted OAuth end to end, through the public API only, against the sandbox `make run` starts.

A tenant (a project of its own, made with `rollcall projects create`) registers an app with the
sandbox whose one redirect URI is the gateway's `/v1/oauth/callback`, sets it with `PATCH
/v1/project` (the secrets never show again), asks `POST /v1/calendars/authorize`, and the user's
browser follows the consent to the callback, which sends it to the client's `redirect_uri` with
`calendar_id` and the state (for the client to compare with its session's); the calendar
connects and its events arrive, and its deduplication key is then taken (409). For Google,
Microsoft and Zoom. The state serves once. The dev project comes with the sandbox's default
apps, so hosted OAuth works out of the box. The run's secret audit (`test_connector_end_to_end`)
covers these secrets too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.public_api import (
    ProviderSandbox,
    SandboxAccount,
    calendar_in_state,
    get_calendar,
    list_events,
    wait_for,
)

pytestmark = pytest.mark.e2e

CLIENT_REDIRECT = "https://client.example/connected?session=e2e"
PROVIDERS = ("google", "microsoft", "zoom")


class GoogleAdmin(ProviderSandbox):
    provider = "google"


class MicrosoftAdmin(ProviderSandbox):
    provider = "microsoft"


class ZoomAdmin(ProviderSandbox):
    provider = "zoom"


ADMINS: dict[str, type[ProviderSandbox]] = {
    "google": GoogleAdmin,
    "microsoft": MicrosoftAdmin,
    "zoom": ZoomAdmin,
}


@pytest.fixture(scope="module")
def sandbox_http(system: RunningSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def tenant(system: RunningSystem) -> Iterator[httpx.Client]:
    """A project of its own (not the dev project), as an operator creates one."""
    printed = system.cli("projects", "create", f"hosted-oauth-{secrets.token_hex(3)}")
    found = re.search(r"^ROLLCALL_API_KEY=(\S+)$", printed, re.MULTILINE)
    assert found, printed
    headers = {"Authorization": f"Bearer {found.group(1)}"}
    with httpx.Client(base_url=system.gateway_url, timeout=20, headers=headers) as client:
        yield client


def _register_app(
    admin: ProviderSandbox, system: RunningSystem, tenant: httpx.Client
) -> dict[str, str]:
    """An app registered with the provider (the sandbox) for exactly the gateway's callback,
    then set as the tenant's app; the answer shows only its public facts."""
    callback = f"{system.gateway_url}/v1/oauth/callback"
    app = admin.admin("apps", {"provider": admin.provider, "redirect_uris": [callback]})
    system.secrets.append(app["client_secret"])
    body: dict[str, Any] = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    if admin.provider == "zoom":
        body["webhook_secret"] = f"e2e-zoom-hook-{secrets.token_hex(8)}"
        system.secrets.append(body["webhook_secret"])
    patched = tenant.patch("/v1/project", json={"oauth_apps": {admin.provider: body}})
    assert patched.status_code == 200, patched.text
    shown = tenant.get("/v1/project")
    for text in (patched.text, shown.text):
        assert app["client_secret"] not in text
        assert body.get("webhook_secret", app["client_secret"]) not in text
    assert shown.json()["oauth_apps"][admin.provider] == {
        "client_id": app["client_id"],
        "client_secret_set": True,
        "webhook_secret_set": admin.provider == "zoom",
    }
    return {"client_id": app["client_id"]}


def _user_with_events(admin: ProviderSandbox) -> SandboxAccount:
    account = admin.account()
    seed = {"provider": admin.provider, "account_id": account.id, "calendars": 1}
    admin.admin("seed", {**seed, "events_per_calendar": 5, "recurring_share": 0})
    return account


def _consent(browser: httpx.Client, authorization_url: str) -> str:
    """The user's browser at the provider: it consents at once (`login_hint`) and is sent to
    the gateway's callback, whose URL this returns."""
    consented = browser.get(authorization_url)
    assert consented.status_code == 302, consented.text
    return consented.headers["location"]


def _client_query(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(CLIENT_REDIRECT + "&"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_authorize_consent_callback_then_connected_with_events(
    system: RunningSystem, tenant: httpx.Client, sandbox_http: httpx.Client, provider: str
) -> None:
    admin = ADMINS[provider](sandbox_http, system)
    app = _register_app(admin, system, tenant)
    user = _user_with_events(admin)

    started = tenant.post(
        "/v1/calendars/authorize",
        json={
            "provider": provider,
            "redirect_uri": CLIENT_REDIRECT,
            "login_hint": user.email,
            "metadata": {"user": user.email},
            "deduplication_key": f"e2e-{provider}-{user.id}",
        },
    )
    assert started.status_code == 200, started.text
    authorization_url, state = started.json()["authorization_url"], started.json()["state"]
    assert parse_qs(urlsplit(authorization_url).query)["client_id"] == [app["client_id"]]

    with httpx.Client(timeout=20, follow_redirects=False) as browser:
        callback = _consent(browser, authorization_url)
        assert callback.startswith(f"{system.gateway_url}/v1/oauth/callback?")
        assert parse_qs(urlsplit(callback).query)["state"] == [state]
        done = _client_query(browser.get(callback))
        assert done["session"] == "e2e"
        assert done["state"] == state  # what the client compares with the user's session
        calendar_id = done["calendar_id"]
        assert browser.get(callback).status_code == 400  # the state serves once

    calendar = wait_for(lambda: calendar_in_state(tenant, calendar_id, "connected"))
    assert (calendar["provider"], calendar["account_email"]) == (provider, user.email)
    assert calendar["metadata"] == {"user": user.email}
    assert calendar["deduplication_key"] == f"e2e-{provider}-{user.id}"
    assert wait_for(lambda: list_events(tenant, calendar_id))
    assert get_calendar(tenant, calendar_id)["state"] == "connected"

    again = tenant.post(
        "/v1/calendars/authorize",
        json={
            "provider": provider,
            "redirect_uri": CLIENT_REDIRECT,
            "deduplication_key": f"e2e-{provider}-{user.id}",
        },
    )
    assert again.status_code == 409 and again.json()["calendar_id"] == calendar_id


def test_the_dev_project_comes_with_the_sandboxes_default_apps(
    system: RunningSystem, api: httpx.Client, sandbox_http: httpx.Client
) -> None:
    system.secrets += [f"sandbox-{p}-secret" for p in PROVIDERS]
    apps = api.get("/v1/project").json()["oauth_apps"]
    assert {p: apps[p]["client_id"] for p in PROVIDERS} == {
        p: f"sandbox-{p}-client" for p in PROVIDERS
    }
    user = GoogleAdmin(sandbox_http, system).account()
    started = api.post(
        "/v1/calendars/authorize",
        json={"provider": "google", "redirect_uri": CLIENT_REDIRECT, "login_hint": user.email},
    )
    assert started.status_code == 200, started.text
    with httpx.Client(timeout=20, follow_redirects=False) as browser:
        callback = _consent(browser, started.json()["authorization_url"])
        done = _client_query(browser.get(callback))
    assert done["state"] == started.json()["state"]
    calendar_id = done["calendar_id"]
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == user.email
