"""Grants: one per provider account and project, shared by the account's calendars, replaced
for all of them by new credentials, bound to their row, and re-sealed by key rotation."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from rollcall.bootstrap import DatabaseLayout
from services.connector.credentials import Keyring, Sealed, associated_data
from services.connector.rotation import rotate_keys
from shared.contracts.calendars import CalendarStateChanged
from shared.contracts.connections import ResyncCalendar
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale

REPO = Path(__file__).resolve().parents[3]


async def _grant_of(connector: Connector, calendar_id: str) -> str:
    return str((await connector.row(calendar_id))["grant_id"])


async def test_calendars_of_one_account_share_its_grant(
    connector: Connector, radicale: Radicale
) -> None:
    work = await RadicaleCalendar(radicale, "alice", "Shared1").create(1)
    home = await RadicaleCalendar(radicale, "alice", "Shared2").create(1)
    await connector.register("cal_a", credentials(radicale), work.url)
    await connector.register("cal_b", credentials(radicale), home.url)
    await connector.register("cal_c", credentials(radicale, "bob"), None)

    assert await _grant_of(connector, "cal_a") == await _grant_of(connector, "cal_b")
    assert await _grant_of(connector, "cal_c") != await _grant_of(connector, "cal_a")
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 2


async def test_new_credentials_for_the_account_reconnect_its_disconnected_calendars(
    connector: Connector, radicale: Radicale
) -> None:
    work = await RadicaleCalendar(radicale, "alice", "Again1").create(1)
    home = await RadicaleCalendar(radicale, "alice", "Again2").create(1)
    wrong = credentials(radicale, password="not-it-9")
    for calendar_id, calendar in (("cal_w", work), ("cal_h", home)):
        await connector.register(calendar_id, wrong, calendar.url)
        await connector.connect(calendar_id)
    await connector.run_syncs()
    assert {r["state"] for r in await connector.pool.fetch("SELECT state FROM connections")} == {
        "disconnected"
    }

    await connector.register("cal_w", credentials(radicale), work.url)  # PATCH of one calendar
    await connector.run_syncs()

    rows = await connector.pool.fetch("SELECT state, grant_id FROM connections")
    assert {r["state"] for r in rows} == {"connected"}
    assert len({r["grant_id"] for r in rows}) == 1
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1
    states = [
        CalendarStateChanged.model_validate(e.payload)
        for e in await connector.messages(CalendarStateChanged.TYPE)
        if e.payload["calendar_id"] == "cal_h"
    ]
    assert [s.state for s in states] == ["disconnected", "connecting", "connected"]


async def _three_connected(connector: Connector, radicale: Radicale) -> list[str]:
    calendar_ids = []
    for number in range(3):
        calendar = await RadicaleCalendar(radicale, "alice", f"Working{number}").create(1)
        await connector.register(f"cal_ok{number}", credentials(radicale), calendar.url)
        await connector.connect(f"cal_ok{number}")
        calendar_ids.append(f"cal_ok{number}")
    await connector.run_syncs()
    return calendar_ids


async def _states_of(connector: Connector, calendar_ids: list[str]) -> set[str]:
    rows = await connector.pool.fetch(
        "SELECT state FROM connections WHERE calendar_id = ANY($1::text[])", calendar_ids
    )
    return {row["state"] for row in rows}


async def test_a_mistyped_password_for_a_new_calendar_leaves_the_working_ones_alone(
    connector: Connector, radicale: Radicale
) -> None:
    working = await _three_connected(connector, radicale)
    grant = await _grant_of(connector, working[0])
    fourth = await RadicaleCalendar(radicale, "alice", "Fourth").create(1)

    await connector.register("cal_typo", credentials(radicale, password="not-it-9"), fourth.url)
    # Registered, no connect command yet (or never: the gateway lost a deduplication race).
    assert {await _grant_of(connector, c) for c in working} == {grant}
    await connector.connect("cal_typo")
    for calendar_id in working:
        await connector.deliver(ResyncCalendar(calendar_id=calendar_id))
    await connector.run_syncs()

    assert (await connector.row("cal_typo"))["state"] == "disconnected"
    assert await _states_of(connector, working) == {"connected"}
    assert {await _grant_of(connector, c) for c in working} == {grant}


async def test_the_account_moves_to_new_credentials_once_they_have_synced(
    connector: Connector, radicale: Radicale
) -> None:
    working = await _three_connected(connector, radicale)
    old_grant = await _grant_of(connector, working[0])
    fourth = await RadicaleCalendar(radicale, "alice", "Fourth").create(1)
    other_spelling = {**credentials(radicale), "url": radicale.url.rstrip("/")}  # same account

    await connector.register("cal_new", other_spelling, fourth.url)
    new_grant = await _grant_of(connector, "cal_new")
    assert new_grant != old_grant
    assert {await _grant_of(connector, c) for c in working} == {old_grant}
    await connector.connect("cal_new")
    await connector.run_syncs()

    assert {await _grant_of(connector, c) for c in [*working, "cal_new"]} == {new_grant}
    assert await _states_of(connector, [*working, "cal_new"]) == {"connected"}
    assert await connector.pool.fetchval("SELECT array_agg(id) FROM grants") == [new_grant]


async def test_a_ciphertext_copied_onto_another_row_does_not_open(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Copied").create(1)
    await connector.register("cal_alice", credentials(radicale), calendar.url)
    await connector.register("cal_bob", credentials(radicale, "bob"), None)
    await connector.pool.execute(
        "UPDATE grants SET ciphertext = (SELECT ciphertext FROM grants g"
        " JOIN connections c ON c.grant_id = g.id WHERE c.calendar_id = 'cal_alice')"
        " WHERE id = (SELECT grant_id FROM connections WHERE calendar_id = 'cal_bob')"
    )
    await connector.connect("cal_bob")
    await connector.run_syncs()

    row = await connector.row("cal_bob")
    assert row["state"] == "disconnected"
    assert row["failure"]["reason"] == "credentials_unavailable"


def _keyring_with_new_key(connector: Connector) -> tuple[str, Keyring, Keyring]:
    old = connector.settings.encryption_keys.get_secret_value()
    new = f"k2:{base64.b64encode(os.urandom(32)).decode()}"
    return (
        f"{old},{new}",
        Keyring.from_setting(f"{old},{new}", "k2"),
        Keyring.from_setting(new, None),
    )


async def test_rotation_reseals_every_grant_under_the_new_key(
    connector: Connector, radicale: Radicale
) -> None:
    await connector.register("cal_r1", credentials(radicale), None)
    await connector.register("cal_r2", credentials(radicale, "bob"), None)
    before = {
        r["id"]: bytes(r["ciphertext"]) for r in await connector.pool.fetch("SELECT * FROM grants")
    }
    _, both, only_new = _keyring_with_new_key(connector)

    report = await rotate_keys(connector.pool, both, batch=1)

    assert report.resealed == 2 and report.unreadable == ()
    for row in await connector.pool.fetch("SELECT * FROM grants"):
        assert row["key_id"] == "k2" and bytes(row["ciphertext"]) != before[row["id"]]
        aad = associated_data(row["project_id"], row["id"], row["provider"])
        sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
        assert json.loads(only_new.open(sealed, aad))["password"]
    assert (await rotate_keys(connector.pool, both)).resealed == 0


async def test_the_rotate_keys_command_reseals_and_reports(
    connector: Connector, radicale: Radicale, database: DatabaseLayout
) -> None:
    await connector.register("cal_cli", credentials(radicale), None)
    spec, _, _ = _keyring_with_new_key(connector)
    env = {
        **os.environ,
        "CONNECTOR_DATABASE_URL": database.dsns["connector"],
        "CONNECTOR_ENCRYPTION_KEYS": spec,
        "CONNECTOR_ACTIVE_KEY_ID": "k2",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "rollcall.cli", "rotate-keys"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "grants re-sealed: 1" in result.stdout
    assert await connector.pool.fetchval("SELECT key_id FROM grants") == "k2"
    assert "alice-secret" not in result.stdout + result.stderr
