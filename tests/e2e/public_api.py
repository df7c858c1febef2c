"""What the OAuth providers' e2e tests share: the public API calls a client makes, and the
sandbox's admin API acting for a provider's users."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import RunningSystem


def wait_for(check: Callable[[], Any], timeout: float = 45) -> Any:
    """The first truthy result of `check`, polled every 0.2 s within `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.2)
    return result


def connect_calendar(
    api: httpx.Client, provider: str, credentials: dict[str, str], **extra: Any
) -> str:
    """`POST /v1/calendars`; the new calendar's id (the answer never echoes the secret)."""
    body = {"provider": provider, "credentials": credentials, **extra}
    response = api.post("/v1/calendars", json=body)
    assert response.status_code == 201, response.text
    assert credentials["refresh_token"] not in response.text
    return str(response.json()["id"])


def get_calendar(api: httpx.Client, calendar_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"/v1/calendars/{calendar_id}").json()
    return found


def calendar_in_state(api: httpx.Client, calendar_id: str, state: str) -> dict[str, Any] | None:
    calendar = get_calendar(api, calendar_id)
    return calendar if calendar["state"] == state else None


def list_events(
    api: httpx.Client, calendar_id: str, *, forbidden: tuple[str, ...] = (), **params: str
) -> list[dict[str, Any]]:
    """Every event of the calendar (`when=all`); none of `forbidden` may appear in the answer."""
    query = {"calendar_id": calendar_id, "when": "all", **params}
    response = api.get("/v1/calendar_events", params=query)
    assert response.status_code == 200, response.text
    assert not [text for text in forbidden if text in response.text]
    found: list[dict[str, Any]] = response.json()["results"]
    return found


def event_titles(api: httpx.Client, calendar_id: str) -> list[str]:
    return sorted(e["title"] for e in list_events(api, calendar_id))


def request_resync(api: httpx.Client, calendar_id: str) -> None:
    assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202


def push_notifications(gateway_url: str, provider: str, outcome: str) -> float:
    """`rollcall_push_notifications_total` for one provider and outcome, from `/metrics`."""
    text = httpx.get(f"{gateway_url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "rollcall_push_notifications_total" and sample.labels == {
                "provider": provider,
                "outcome": outcome,
            }:
                return float(sample.value)
    return 0.0


@dataclass
class SandboxAccount:
    id: str
    email: str
    credentials: dict[str, str]


class ProviderSandbox:
    """The sandbox's admin API for one provider; every secret it hands out is added to the
    run's no-secrets audit."""

    provider: ClassVar[str]

    def __init__(self, client: httpx.Client, system: RunningSystem) -> None:
        self.client, self.system = client, system

    def account(self) -> SandboxAccount:
        email = f"e2e-{secrets.token_hex(4)}@example.com"
        body = self.admin("accounts", {"provider": self.provider, "email": email})
        credentials = {k: body[k] for k in ("client_id", "client_secret", "refresh_token")}
        self.system.secrets += [body["refresh_token"], body["client_secret"]]
        return SandboxAccount(body["account_id"], email, credentials)

    def new_grant(self, account: SandboxAccount) -> dict[str, str]:
        token = self.admin(f"accounts/{account.id}/grant")["refresh_token"]
        self.system.secrets.append(token)
        return {**account.credentials, "refresh_token": token}

    def bearer(self, account: SandboxAccount) -> dict[str, str]:
        """Headers acting as the user's own app."""
        token = self.admin(f"accounts/{account.id}/token")["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def as_user(self, account: SandboxAccount, method: str, url: str, body: Any = None) -> Any:
        """A call to the provider's API as the user's own app; its JSON (None without a body)."""
        response = self.client.request(method, url, json=body, headers=self.bearer(account))
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(f"/_admin/{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.client.get(
            "/_admin/requests", params={"provider": self.provider}
        ).json()["results"]
        return found
