"""Paths and methods the Calendar API does not have answer in Google's error shape (404
`notFound`, 405 `httpMethodNotAllowed`), never FastAPI's `{"detail": ...}`."""

from __future__ import annotations

import pytest

from tests.sandbox.google.conftest import API, Sandbox


@pytest.mark.parametrize(
    "path", ["/nothing", "/", "/calendars/primary/acl", "/users/me/settings/timezone", "/a/b/c/d"]
)
async def test_unknown_paths_are_google_404s(sandbox: Sandbox, path: str) -> None:
    _, headers = sandbox.account("ada@example.com")
    for method in ("GET", "POST", "DELETE"):
        response = await sandbox.client.request(method, f"{API}{path}", headers=headers)
        assert response.status_code == 404, (method, path)
        assert response.json() == {
            "error": {
                "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}],
                "code": 404,
                "message": "Not Found",
            }
        }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/users/me/calendarList"),
        ("PUT", "/calendars/primary/events"),
        ("GET", "/channels/stop"),
        ("POST", "/calendars/primary/events/abcde/instances"),
    ],
)
async def test_other_methods_on_known_paths_are_google_405s(
    sandbox: Sandbox, method: str, path: str
) -> None:
    _, headers = sandbox.account("ada@example.com")
    response = await sandbox.client.request(method, f"{API}{path}", headers=headers)
    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "errors": [
                {
                    "domain": "global",
                    "reason": "httpMethodNotAllowed",
                    "message": "Method Not Allowed",
                }
            ],
            "code": 405,
            "message": "Method Not Allowed",
        }
    }


async def test_known_routes_still_answer(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    response = await sandbox.client.get(f"{API}/users/me/calendarList", headers=headers)
    assert response.status_code == 200
    assert (await sandbox.client.get(f"{API}/users/me/calendarList")).status_code == 401
