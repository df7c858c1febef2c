"""Scopes are enforced like Google's: a read-only token reads, and its writes are 403."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.app import create_app
from sandbox.google import google_provider
from sandbox.settings import SandboxSettings

READONLY = "https://www.googleapis.com/auth/calendar.readonly"
EVENTS = "/google/calendar/v3/calendars/primary/events"


async def _token(client: httpx.AsyncClient, email: str, scope: str) -> str:
    account = (
        await client.post("/_admin/accounts", json={"provider": "google", "email": email})
    ).json()
    redirect = "http://127.0.0.1:9/callback"
    consent = await client.get(
        "/google/o/oauth2/v2/auth",
        params={
            "client_id": account["client_id"],
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": scope,
            "state": "s",
            "login_hint": email,
        },
    )
    assert consent.status_code == 302, consent.text
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    token = await client.post(
        "/google/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": account["client_id"],
            "client_secret": account["client_secret"],
        },
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == scope
    return str(token.json()["access_token"])


async def test_a_read_only_token_reads_but_cannot_write() -> None:
    app = create_app(SandboxSettings(), providers=[google_provider])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
    ) as client:
        token = await _token(client, "reader@example.com", READONLY)
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get(EVENTS, headers=headers)).status_code == 200
        event = {"summary": "x", "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}
        refused = await client.post(EVENTS, json=event, headers=headers)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["errors"][0]["reason"] == "insufficientPermissions"
        assert error["status"] == "PERMISSION_DENIED"
        writer = await _token(
            client, "writer@example.com", "https://www.googleapis.com/auth/calendar.events"
        )
        created = await client.post(
            EVENTS, json=event, headers={"Authorization": f"Bearer {writer}"}
        )
        assert created.status_code == 200
