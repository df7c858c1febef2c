"""docker-compose.yml (not runnable here: no Docker engine) stays in step with the settings."""

from __future__ import annotations

from pathlib import Path

import yaml

from rollcall.bootstrap import SERVICES
from services.connector.settings import ConnectorSettings
from services.gateway.settings import GatewaySettings
from services.scheduler.settings import SchedulerSettings
from services.syncer.settings import SyncerSettings

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[3] / "docker-compose.yml").read_text())
SETTINGS = {
    "gateway": GatewaySettings,
    "connector": ConnectorSettings,
    "syncer": SyncerSettings,
    "scheduler": SchedulerSettings,
}


def _read_names(settings: type) -> set[str]:
    names: set[str] = set()
    for field in settings.model_fields.values():
        alias = field.validation_alias
        names |= {str(choice) for choice in getattr(alias, "choices", [])}
    return names


def test_every_service_runs_its_module_with_only_settings_it_reads() -> None:
    for service in SERVICES:
        spec = COMPOSE["services"][service]
        assert spec["command"] == ["python", "-m", f"services.{service}"]
        env = set(spec["environment"])
        assert f"{service.upper()}_DATABASE_URL" in env and f"{service.upper()}_HOST" in env
        assert env <= _read_names(SETTINGS[service]), env - _read_names(SETTINGS[service])
        assert "DATABASE_URL" not in env  # services never get the admin DSN


def test_migrate_gets_every_role_password() -> None:
    env = set(COMPOSE["services"]["migrate"]["environment"])
    assert {f"{s.upper()}_DATABASE_PASSWORD" for s in SERVICES} <= env
    assert COMPOSE["services"]["migrate"]["command"] == ["rollcall", "migrate"]
