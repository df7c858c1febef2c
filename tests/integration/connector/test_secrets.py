"""The plaintext password never leaves the sealed grant: not in tables, outbox rows or logs."""

from __future__ import annotations

import logging

import pytest

from shared.contracts.connections import ResyncCalendar
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale

WRONG_PASSWORD = "Wr0ng-password-kq7x"


async def test_no_password_in_tables_outbox_or_logs(
    connector: Connector, radicale: Radicale, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    calendar = await RadicaleCalendar(radicale, "alice", "Secret").create(2)
    await connector.register("cal_ok", credentials(radicale), calendar.url)
    await connector.register(
        "cal_bad", credentials(radicale, "bob", password=WRONG_PASSWORD), calendar.url
    )
    await connector.connect("cal_ok")
    await connector.connect("cal_bad")
    await connector.run_syncs()
    await connector.deliver(ResyncCalendar(calendar_id="cal_ok"))
    await connector.run_syncs()

    grants = await connector.pool.fetch("SELECT ciphertext FROM grants")
    assert len(grants) == 2
    tables = await connector.pool.fetchval(
        "SELECT (SELECT string_agg(c::text, '') FROM connections c)"
        " || (SELECT string_agg(o::text, '') FROM outbox o)"
        " || (SELECT string_agg(g::text, '') FROM grants g)"
    )
    logs = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    for secret in ("alice-secret", WRONG_PASSWORD):
        assert all(secret.encode() not in bytes(g["ciphertext"]) for g in grants)
        assert secret not in tables
        assert secret not in logs
    assert "cal_ok" in logs  # the logs do say what happened
