"""What `rollcall doctor` checks, and which failures make it exit non-zero."""

from __future__ import annotations

from rollcall.doctor import DoctorSettings, Finding, plan, redact, report
from shared.provider_endpoints import DEFAULTS, ProviderEndpoints

DEV_STATE = {
    "database_url": "postgresql://root:s3cret@127.0.0.1:5544/rollcall",
    "kafka_bootstrap": "127.0.0.1:9099",
    "sandbox_url": "http://127.0.0.1:8090",
}


def by_name(env: dict[str, str], state: dict[str, str] | None) -> dict[str, tuple[str, bool]]:
    """The plan for `env` as the settings classes read it (as if it were the environment)."""
    settings = DoctorSettings.model_validate(env)
    endpoints = ProviderEndpoints.model_validate(env)
    return {t.name: (t.address, t.required) for t in plan(settings, endpoints, state)}


def test_dev_mode_points_every_oauth_provider_at_the_sandbox_and_requires_it() -> None:
    targets = by_name({}, DEV_STATE)
    assert targets["postgres"] == (DEV_STATE["database_url"], True)
    assert targets["kafka"] == ("127.0.0.1:9099", True)
    assert targets["GOOGLE_API_BASE_URL"] == ("http://127.0.0.1:8090/google", True)
    assert targets["MICROSOFT_LOGIN_BASE_URL"] == ("http://127.0.0.1:8090/microsoft/login", True)
    assert targets["ZOOM_OAUTH_BASE_URL"] == ("http://127.0.0.1:8090/zoom", True)
    # Apple has no sandbox: its production default is only reported.
    assert targets["APPLE_CALDAV_URL"] == ("https://caldav.icloud.com", False)


def test_the_environment_wins_and_what_it_sets_is_required() -> None:
    env = {
        "DATABASE_URL": "postgresql://db.internal/rollcall",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "ZOOM_API_BASE_URL": "https://zoom-proxy.internal/",
    }
    targets = by_name(env, None)
    assert targets["postgres"] == ("postgresql://db.internal/rollcall", True)
    assert targets["kafka"] == ("kafka:9092", True)
    assert targets["ZOOM_API_BASE_URL"] == ("https://zoom-proxy.internal", True)
    assert targets["GOOGLE_API_BASE_URL"] == (DEFAULTS["GOOGLE_API_BASE_URL"], False)
    assert len(targets) == 2 + len(DEFAULTS)


def test_service_dsns_are_checked_when_there_is_no_admin_dsn() -> None:
    env = {
        "GATEWAY_DATABASE_URL": "postgresql://gateway:pw@db/rollcall",
        "SYNCER_DATABASE_URL": "postgresql://syncer:pw@db/rollcall",
    }
    targets = by_name(env, DEV_STATE)  # a state file is ignored once a database is named
    assert targets["postgres (gateway)"] == (env["GATEWAY_DATABASE_URL"], True)
    assert targets["postgres (syncer)"] == (env["SYNCER_DATABASE_URL"], True)
    assert "postgres" not in targets
    assert not DoctorSettings.model_validate(env).uses_dev_state()


def test_nothing_configured_is_a_required_gap() -> None:
    targets = by_name({}, None)
    assert targets["postgres"] == ("", True) and targets["kafka"] == ("", True)


def test_passwords_never_appear() -> None:
    assert redact(DEV_STATE["database_url"]) == "postgresql://root@127.0.0.1:5544/rollcall"
    assert redact("postgresql://db/x") == "postgresql://db/x"


def test_only_required_failures_fail_the_run() -> None:
    ok = Finding("postgres", "pg", True, True, "PostgreSQL 16")
    optional = Finding("APPLE_CALDAV_URL", "https://caldav.icloud.com", False, False, "down")
    text, status = report([ok, optional], as_json=False)
    assert status == 0 and "warn  APPLE_CALDAV_URL" in text
    assert text.endswith("all required checks passed")
    broken = Finding("kafka", "k:9092", False, True, "unreachable (KafkaConnectionError)")
    text, status = report([ok, optional, broken], as_json=False)
    assert status == 1 and "FAIL  kafka" in text
