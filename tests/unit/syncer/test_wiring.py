"""The syncer's entry points: topics, handler routing and settings."""

from __future__ import annotations

from functools import partial

import pytest
from pydantic import ValidationError

from services.syncer import handlers, usecases
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.series_guards import ExpansionLimits
from services.syncer.settings import SyncerSettings
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted, CalendarStateChanged
from shared.contracts.provider import ProviderChangesFetched


def test_consumes_provider_changes_and_calendar_state() -> None:
    assert handlers.TOPICS == (topics.PROVIDER_CHANGES, topics.CALENDARS_STATE)


def test_routes_each_message_type_to_one_use_case() -> None:
    hosts = HostAllowList.of(["meet.example.org"])
    limits = ExpansionLimits(max_instances=10)
    routes = handlers.handlers_for(hosts, limits, 12)
    assert set(routes) == {ProviderChangesFetched.TYPE, CalendarDeleted.TYPE}
    apply = routes[ProviderChangesFetched.TYPE]
    assert isinstance(apply, partial)
    assert apply.func is usecases.apply_provider_changes
    assert apply.keywords == {"meeting_hosts": hosts, "limits": limits, "retention_days": 12}
    assert routes[CalendarDeleted.TYPE] is usecases.delete_calendar
    assert CalendarStateChanged.TYPE not in routes


def test_settings_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SYNCER_HOST",
        "SYNCER_PORT",
        "SYNCER_DATABASE_URL",
        "DATABASE_URL",
        "SYNCER_MEETING_HOSTS",
        "SYNCER_MAX_INSTANCES_PER_SERIES",
        "SYNCER_EXPANSION_CPU_SECONDS",
        "SYNCER_PAGE_CPU_SECONDS",
        "SYNCER_EVENT_RETENTION_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = SyncerSettings()
    assert (settings.host, settings.port, settings.meeting_hosts) == ("127.0.0.1", 8082, ())
    assert settings.event_retention_days == 30
    assert settings.expansion_limits() == ExpansionLimits(
        max_instances=1_000, cpu_seconds=0.08, page_cpu_seconds=5.0
    )
    with pytest.raises(RuntimeError):
        settings.dsn()
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("SYNCER_DATABASE_URL", "postgresql://syncer/db")
    assert SyncerSettings().dsn() == "postgresql://syncer/db"


def test_meeting_hosts_are_a_comma_separated_list_of_host_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNCER_MEETING_HOSTS", " meet.example.org, *.video.example.com ,")
    settings = SyncerSettings()
    assert settings.meeting_hosts == ("meet.example.org", "*.video.example.com")
    allowed = HostAllowList.of(settings.meeting_hosts)
    assert allowed.allows("meet.example.org") and allowed.allows("a.video.example.com")
    assert not allowed.allows("example.org") and not allowed.allows("evilmeet.example.org")
    monkeypatch.setenv("SYNCER_MEETING_HOSTS", "https://meet.example.org/")
    with pytest.raises(ValidationError):
        SyncerSettings()


def test_series_expansion_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCER_MAX_INSTANCES_PER_SERIES", "250")
    monkeypatch.setenv("SYNCER_EXPANSION_CPU_SECONDS", "0.2")
    monkeypatch.setenv("SYNCER_PAGE_CPU_SECONDS", "2.5")
    assert SyncerSettings().expansion_limits() == ExpansionLimits(250, 0.2, 2.5)
    monkeypatch.setenv("SYNCER_PAGE_CPU_SECONDS", "0")
    with pytest.raises(ValidationError):
        SyncerSettings()
    monkeypatch.setenv("SYNCER_PAGE_CPU_SECONDS", "2.5")
    monkeypatch.setenv("SYNCER_MAX_INSTANCES_PER_SERIES", "0")
    with pytest.raises(ValidationError):
        SyncerSettings()


def test_event_retention_is_a_setting_of_at_least_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCER_EVENT_RETENTION_DAYS", "90")
    assert SyncerSettings().event_retention_days == 90
    monkeypatch.setenv("SYNCER_EVENT_RETENTION_DAYS", "0")
    with pytest.raises(ValidationError):
        SyncerSettings()
