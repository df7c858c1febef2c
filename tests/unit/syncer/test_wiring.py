"""The syncer's entry points: topics, handler routing and settings."""

from __future__ import annotations

import pytest

from services.syncer import handlers, usecases
from services.syncer.settings import SyncerSettings
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted, CalendarStateChanged
from shared.contracts.provider import ProviderChangesFetched


def test_consumes_provider_changes_and_calendar_state() -> None:
    assert handlers.TOPICS == (topics.PROVIDER_CHANGES, topics.CALENDARS_STATE)


def test_routes_each_message_type_to_one_use_case() -> None:
    assert {
        ProviderChangesFetched.TYPE: usecases.apply_provider_changes,
        CalendarDeleted.TYPE: usecases.delete_calendar,
    } == handlers.HANDLERS
    assert CalendarStateChanged.TYPE not in handlers.HANDLERS


def test_settings_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SYNCER_HOST", "SYNCER_PORT", "SYNCER_DATABASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = SyncerSettings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8082)
    with pytest.raises(RuntimeError):
        settings.dsn()
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("SYNCER_DATABASE_URL", "postgresql://syncer/db")
    assert SyncerSettings().dsn() == "postgresql://syncer/db"
