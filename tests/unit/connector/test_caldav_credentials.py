"""CalDAV credentials shape: exactly {url, username, password}, non-empty strings, http(s)."""

from __future__ import annotations

from typing import Any

import pytest

from services.connector.providers.base import InvalidCredentialsShape
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.guarded_http import HttpLimits

PROVIDER = CaldavProvider(
    HttpLimits(allow_loopback=False, request_seconds=10, max_response_bytes=1 << 24), 1
)
VALID = {"url": "https://dav.example.com/", "username": "alice", "password": "s3cret-pw"}


def test_valid_credentials_parse_and_hide_the_password() -> None:
    credentials = PROVIDER.parse_credentials(VALID)
    assert credentials.password.get_secret_value() == "s3cret-pw"
    assert "s3cret-pw" not in repr(credentials)
    assert PROVIDER.server_urls(credentials) == ("https://dav.example.com/",)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**VALID, "extra": "x"}, "credentials.extra"),
        ({"url": VALID["url"], "username": "alice"}, "credentials.password"),
        ({**VALID, "password": ""}, "credentials.password"),
        ({**VALID, "username": 7}, "credentials.username"),
        ({**VALID, "url": "ftp://dav.example.com/"}, "credentials.url"),
    ],
)
def test_wrong_shapes_are_refused_without_echoing_input(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidCredentialsShape) as caught:
        PROVIDER.parse_credentials(raw)
    assert field in [e["field"] for e in caught.value.errors]
    assert "s3cret-pw" not in str(caught.value.errors)
