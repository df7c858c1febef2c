"""Merging a change into a project's OAuth app: merge-patch semantics and the rules that keep
an app complete; secrets never in `repr`."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from services.connector.domain.oauth_apps import (
    AppChange,
    AppFacts,
    InvalidAppChange,
    OAuthApp,
    merged,
)

APP = OAuthApp("client-1", SecretStr("secret-1"), SecretStr("hook-1"))


def _fields(provider: str, current: OAuthApp | None, change: AppChange) -> set[str]:
    with pytest.raises(InvalidAppChange) as refused:
        merged(provider, current, change)
    return {e.field for e in refused.value.errors}


def test_a_new_app_needs_its_client_id_and_secret() -> None:
    assert _fields("google", None, AppChange(client_id="c")) == {"oauth_apps.google.client_secret"}
    assert _fields("microsoft", None, AppChange(client_secret="s")) == {
        "oauth_apps.microsoft.client_id"
    }
    assert merged("google", None, AppChange(client_id="c", client_secret="s")) == OAuthApp(
        "c", SecretStr("s")
    )


def test_absent_fields_stay_and_given_ones_replace() -> None:
    assert merged("zoom", APP, AppChange()) == APP
    renewed = merged("zoom", APP, AppChange(client_secret="secret-2"))
    assert renewed == OAuthApp("client-1", SecretStr("secret-2"), SecretStr("hook-1"))


def test_a_new_client_id_needs_its_own_secret() -> None:
    assert _fields("zoom", APP, AppChange(client_id="client-2")) == {
        "oauth_apps.zoom.client_secret"
    }
    moved = merged("zoom", APP, AppChange(client_id="client-2", client_secret="secret-2"))
    assert moved is not None and (moved.client_id, moved.webhook_secret) == (
        "client-2",
        SecretStr("hook-1"),
    )
    # the same client id again is no new client
    assert merged("zoom", APP, AppChange(client_id="client-1")) == APP


def test_the_webhook_secret_is_set_and_removed_for_zoom_only() -> None:
    cleared = merged("zoom", APP, AppChange(webhook_given=True))
    assert cleared is not None and cleared.webhook_secret is None
    set_ = merged("zoom", cleared, AppChange(webhook_secret="hook-2", webhook_given=True))
    assert set_ is not None and set_.webhook_secret == SecretStr("hook-2")
    google = OAuthApp("c", SecretStr("s"))
    change = AppChange(webhook_secret="hook", webhook_given=True)
    assert _fields("google", google, change) == {"oauth_apps.google.webhook_secret"}


def test_null_removes_the_app_and_unknown_providers_are_refused() -> None:
    assert merged("google", APP, None) is None
    change = AppChange(client_id="c", client_secret="s")
    assert _fields("caldav", None, change) == {"oauth_apps.caldav"}


def test_every_bad_field_is_named_at_once() -> None:
    change = AppChange(webhook_secret="h", webhook_given=True)
    assert _fields("microsoft", None, change) == {
        "oauth_apps.microsoft.webhook_secret",
        "oauth_apps.microsoft.client_id",
        "oauth_apps.microsoft.client_secret",
    }


def test_facts_and_reprs_show_no_secret() -> None:
    assert AppFacts.of(APP) == AppFacts("client-1", True, True)
    assert "secret-1" not in repr(APP) and "hook-1" not in repr(APP)
    assert OAuthApp.from_sealed(APP.sealable()) == APP
