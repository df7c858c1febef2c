"""The shared OAuth store's rotating refresh tokens and how grants end (Microsoft and Zoom rotate;
Google does not), driven directly and through the admin API."""

from __future__ import annotations

import httpx
import pytest

from sandbox.oauth.errors import InvalidGrant
from sandbox.oauth.store import OAuthStore
from sandbox.settings import SandboxSettings
from tests.sandbox.conftest import FakeClock, create_account


def new_grant(store: OAuthStore, provider: str = "microsoft") -> tuple[str, str]:
    """(client_id, refresh token) of a fresh account's grant to the default app."""
    account = store.create_account(provider, f"user@{provider}.example")
    app = store.default_app(provider)
    return app.client_id, store.grant(account, app).refresh_token


def test_without_rotation_the_refresh_token_stays(store: OAuthStore) -> None:
    client_id, token = new_grant(store, "google")
    app = store.default_app("google")
    first = store.refresh(app, token)
    second = store.refresh(app, token)
    assert first.refresh_token is None and second.refresh_token is None
    assert first.access_token.token != second.access_token.token
    assert first.grant.client_id == client_id


def test_rotation_retires_the_presented_token(store: OAuthStore) -> None:
    _, token = new_grant(store)
    app = store.default_app("microsoft")
    rotated = store.refresh(app, token, rotate=True)
    assert rotated.refresh_token is not None and rotated.refresh_token != token
    assert rotated.grant.refresh_token == rotated.refresh_token

    with pytest.raises(InvalidGrant) as refused:
        store.refresh(app, token, rotate=True)
    assert (refused.value.problem, refused.value.ended) == ("rotated_refresh_token", None)

    again = store.refresh(app, rotated.refresh_token, rotate=True)
    assert again.refresh_token not in (None, token, rotated.refresh_token)
    assert store.account_for_access_token("microsoft", again.access_token.token) is not None


def test_rotation_may_keep_the_old_token_valid(store: OAuthStore) -> None:
    _, token = new_grant(store)
    app = store.default_app("microsoft")
    first = store.refresh(app, token, rotate=True, keep_old=True)
    second = store.refresh(app, token, rotate=True, keep_old=True)
    assert first.refresh_token != second.refresh_token
    assert second.grant.refresh_token == second.refresh_token


def test_kept_tokens_are_bounded_to_the_newest_per_grant(clock: FakeClock) -> None:
    store = OAuthStore(SandboxSettings(), clock, valid_per_grant=3)
    _, token = new_grant(store)
    app = store.default_app("microsoft")
    issued = [token]
    for _ in range(4):
        rotated = store.refresh(app, issued[-1], rotate=True, keep_old=True).refresh_token
        assert rotated is not None
        issued.append(rotated)
    for retired in issued[:2]:  # five issued, three kept
        with pytest.raises(InvalidGrant) as refused:
            store.refresh(app, retired, rotate=True, keep_old=True)
        assert refused.value.problem == "rotated_refresh_token"
    for kept in issued[2:]:
        assert store.refresh(app, kept, rotate=False).grant.refresh_token == issued[-1]


def test_only_the_newest_rotated_out_tokens_are_remembered(clock: FakeClock) -> None:
    store = OAuthStore(SandboxSettings(), clock, rotated_out_kept=2)
    _, token = new_grant(store)
    app = store.default_app("microsoft")
    issued = [token]
    for _ in range(3):
        rotated = store.refresh(app, issued[-1], rotate=True).refresh_token
        assert rotated is not None
        issued.append(rotated)
    store.revoke_token(issued[-1])
    ended = [("rotated_refresh_token", None)] + [("dead_refresh_token", "revoked")] * 3
    for presented, expected in zip(issued, ended, strict=True):
        with pytest.raises(InvalidGrant) as refused:
            store.refresh(app, presented, rotate=True)
        # The oldest was forgotten: it reads as unknown, yet is still refused.
        assert (refused.value.problem, refused.value.ended) == expected


@pytest.mark.parametrize("why", ["revoked", "expired", "consent_revoked"])
def test_an_ended_grant_says_how_it_ended(store: OAuthStore, why: str) -> None:
    client_id, token = new_grant(store)
    app = store.default_app("microsoft")
    rotated = store.refresh(app, token, rotate=True)
    account_id = rotated.grant.account_id
    assert store.end_account_grants(account_id, why) == 1  # type: ignore[arg-type]

    for presented in (rotated.refresh_token, token):  # current and retired tokens alike
        assert presented is not None
        with pytest.raises(InvalidGrant) as refused:
            store.refresh(app, presented, rotate=True)
        assert (refused.value.problem, refused.value.ended) == ("dead_refresh_token", why)
    assert store.account_for_access_token("microsoft", rotated.access_token.token) is None
    assert store.granted_apps(account_id) == []
    assert client_id == app.client_id


def test_granted_apps_lists_live_grants_only(store: OAuthStore) -> None:
    account = store.create_account("zoom", "host@zoom.example")
    default = store.default_app("zoom")
    other = store.register_app("zoom", ("https://app.example/cb",))
    store.grant(account, default)
    store.grant(account, other)
    assert {a.client_id for a in store.granted_apps(account.id)} == {
        default.client_id,
        other.client_id,
    }
    assert store.revoke_token(store.live_grant(account.id, other.client_id).refresh_token)  # type: ignore[union-attr]
    assert [a.client_id for a in store.granted_apps(account.id)] == [default.client_id]


async def test_admin_revoke_takes_a_reason(client: httpx.AsyncClient, store: OAuthStore) -> None:
    account = await create_account(client, "reason@example.com")
    base = f"/_admin/accounts/{account['account_id']}"

    bad = await client.post(f"{base}/revoke", json={"reason": "bored"})
    assert bad.status_code == 422
    done = await client.post(f"{base}/revoke", json={"reason": "expired"})
    assert done.json() == {"revoked": 1}

    app = store.default_app("google")
    with pytest.raises(InvalidGrant) as refused:
        store.refresh(app, account["refresh_token"])
    assert refused.value.ended == "expired"
