"""The gateway's hosted OAuth rules: states, the client's redirect (always carrying the state
back), passed-on error codes, and which URLs a tenant may give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from services.gateway.domain.hosted_oauth import (
    check_client_redirect,
    client_redirect,
    expires_at,
    new_state,
    provider_error,
    state_digest,
)
from services.gateway.domain.web_urls import check_web_url


def test_states_are_unguessable_and_stored_only_as_a_digest() -> None:
    states = {new_state() for _ in range(100)}
    assert len(states) == 100 and all(len(s) >= 43 for s in states)
    state = next(iter(states))
    assert state_digest(state) == state_digest(state) != state_digest(state + "x")
    assert state.encode() not in state_digest(state) and len(state_digest(state)) == 32


def test_a_state_lives_ten_minutes() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert expires_at(now) == now + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("redirect_uri", "expected"),
    [
        ("https://app.example/done", "https://app.example/done?calendar_id=cal_1&state=st"),
        (
            "https://app.example/done?next=%2Fhome&x=a+b",
            "https://app.example/done?next=%2Fhome&x=a+b&calendar_id=cal_1&state=st",
        ),
        ("http://127.0.0.1:3000/", "http://127.0.0.1:3000/?calendar_id=cal_1&state=st"),
    ],
)
def test_the_client_redirect_keeps_its_own_query(redirect_uri: str, expected: str) -> None:
    assert client_redirect(redirect_uri, "st", {"calendar_id": "cal_1"}) == expected


def test_redirect_values_are_encoded() -> None:
    params = {"error": "duplicate_calendar", "calendar_id": "cal_&x=1"}
    assert client_redirect("https://a.example/cb", "s-_~", params) == (
        "https://a.example/cb?error=duplicate_calendar&calendar_id=cal_%26x%3D1&state=s-_~"
    )


@pytest.mark.parametrize(
    "params", [{"calendar_id": "cal_1"}, {"error": "access_denied"}, {"error": "invalid_client"}]
)
def test_every_client_redirect_carries_the_state_back(params: dict[str, str]) -> None:
    state = new_state()
    redirect = urlsplit(client_redirect("https://app.example/cb?from=x", state, params))
    assert parse_qs(redirect.query) == {
        "from": ["x"],
        **{name: [value] for name, value in params.items()},
        "state": [state],
    }


@pytest.mark.parametrize(
    "url", ["https://app.example/cb", "https://app.example/cb?session=1&states=x&next=%2F"]
)
def test_a_client_redirect_may_carry_its_own_parameters(url: str) -> None:
    assert check_client_redirect(url) == url


@pytest.mark.parametrize(
    ("url", "taken"),
    [
        ("https://app.example/cb?state=mine", "state"),
        ("https://app.example/cb?a=1&calendar_id=", "calendar_id"),
        ("https://app.example/cb?error&state=x", "state, error"),
    ],
)
def test_a_client_redirect_must_leave_the_added_parameters_to_us(url: str, taken: str) -> None:
    with pytest.raises(ValueError, match=f"callback adds \\({taken}\\)"):
        check_client_redirect(url)


def test_only_plain_error_codes_are_passed_on() -> None:
    assert provider_error("access_denied") == "access_denied"
    assert provider_error("consent_required") == "consent_required"
    for odd in ("", "Access Denied", "x" * 65, "a&b=c", "<script>", "déni"):
        assert provider_error(odd) == "server_error"


@pytest.mark.parametrize(
    "url",
    ["https://app.example/cb", "http://localhost:3000/cb?x=1", "https://[::1]:8443/"],
)
def test_acceptable_web_urls(url: str) -> None:
    assert check_web_url(url) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/relative/cb", "absolute"),
        ("ftp://app.example/cb", "absolute"),
        ("https:///no-host", "absolute"),
        ("javascript:alert(1)", "absolute"),
        ("https://app.example/cb#frag", "fragment"),
        ("https://app.example/cb#", "fragment"),
        ("https://user:pw@app.example/cb", "credentials"),
        ("https://app.example:99999/", "valid URL"),
        ("https://app.example/a b", "spaces"),
        ("https://app.example/" + "a" * 2048, "at most"),
    ],
)
def test_refused_web_urls_say_why(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_web_url(url)
