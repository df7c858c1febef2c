"""Bearer tokens: missing, unknown or wrong-scheme credentials get Google's 401; other accounts'
calendars are 404; `primary` is the caller's own calendar."""

from __future__ import annotations

import pytest

from tests.sandbox.google.conftest import API, Sandbox, events_url

AUTH_ERROR = {
    "error": {
        "errors": [
            {
                "domain": "global",
                "reason": "authError",
                "message": "Invalid Credentials",
                "locationType": "header",
                "location": "Authorization",
            }
        ],
        "code": 401,
        "message": (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        ),
        "status": "UNAUTHENTICATED",
    }
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
async def test_bad_credentials_get_googles_401(sandbox: Sandbox, headers: dict[str, str]) -> None:
    sandbox.account("ada@example.com")
    for url in (events_url(), f"{API}/users/me/calendarList", f"{API}/calendars/primary"):
        response = await sandbox.client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == AUTH_ERROR
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_revoked_token_stops_working(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    assert (await sandbox.client.get(events_url(), headers=headers)).status_code == 200
    sandbox.identity.tokens.clear()
    assert (await sandbox.client.get(events_url(), headers=headers)).status_code == 401


async def test_other_accounts_calendars_are_not_found(sandbox: Sandbox) -> None:
    sandbox.account("ada@example.com")
    _, grace = sandbox.account("grace@example.com")
    response = await sandbox.client.get(events_url("ada@example.com"), headers=grace)
    assert response.status_code == 404
    assert response.json()["error"]["errors"][0]["reason"] == "notFound"
    missing = await sandbox.client.get(f"{API}/calendars/nobody@example.com", headers=grace)
    assert missing.status_code == 404


async def test_primary_is_the_callers_calendar(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    calendar = (await sandbox.client.get(f"{API}/calendars/primary", headers=headers)).json()
    assert calendar["id"] == "ada@example.com"
    assert calendar["kind"] == "calendar#calendar"
    by_id = await sandbox.client.get(f"{API}/calendars/ada%40example.com", headers=headers)
    assert by_id.json()["id"] == "ada@example.com"
    entry = await sandbox.client.get(f"{API}/users/me/calendarList/primary", headers=headers)
    assert entry.json()["primary"] is True
    assert entry.json()["accessRole"] == "owner"
