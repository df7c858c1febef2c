"""Ids sort by creation and derive deterministically; migration folders are checked for order."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollcall.bootstrap import SERVICES, migrations_of
from shared import messaging
from shared.db.migrations import MigrationError, load_migrations
from shared.db.roles import service_dsn
from shared.ids import derived_id, new_id


def test_new_ids_are_prefixed_unique_and_time_ordered() -> None:
    ids = [new_id("cal") for _ in range(200)]
    assert all(i.startswith("cal_") and len(i) == 30 for i in ids)
    assert len(set(ids)) == 200
    assert [i[:14] for i in ids] == sorted(i[:14] for i in ids)


def test_derived_ids_are_stable_and_distinguish_their_parts() -> None:
    assert derived_id("evt", "a", "b") == derived_id("evt", "a", "b")
    assert derived_id("evt", "a", "b") != derived_id("evt", "ab", "")


def test_every_migration_folder_is_well_formed() -> None:
    for folder in [messaging.MIGRATIONS, *(migrations_of(s) for s in SERVICES)]:
        migrations = load_migrations(folder)
        assert migrations and migrations[0].number == 1


def test_a_gap_in_migration_numbers_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1")
    (tmp_path / "0003_c.sql").write_text("SELECT 1")
    with pytest.raises(MigrationError):
        load_migrations(tmp_path)


def test_service_dsn_swaps_in_the_role_and_escapes_the_password() -> None:
    dsn = service_dsn("postgresql://postgres:admin@db:5432/app?sslmode=require", "syncer", "p@ss/w")
    assert dsn == "postgresql://rollcall_syncer:p%40ss%2Fw@db:5432/app?sslmode=require"
