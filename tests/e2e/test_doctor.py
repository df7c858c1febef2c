"""`rollcall doctor` beside a running `make run`: it finds the embedded servers and the sandbox."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import RunningSystem, wait_for_line

pytestmark = pytest.mark.e2e


def test_doctor_finds_the_running_system(system: RunningSystem) -> None:
    sandbox = wait_for_line(system.lines, r"^ROLLCALL_SANDBOX_URL=(\S+)$", 1)
    output = system.cli("doctor")  # exits 0, or the call raises
    lines = output.splitlines()
    assert lines[-1] == "all required checks passed"
    verdicts = {line.split()[1]: line.split()[0] for line in lines[:-1]}
    assert verdicts["postgres"] == verdicts["kafka"] == "ok"
    for name in ("GOOGLE_API_BASE_URL", "MICROSOFT_GRAPH_BASE_URL", "ZOOM_OAUTH_BASE_URL"):
        assert verdicts[name] == "ok", output
    assert f"{sandbox}/microsoft/login" in output
    admin = urlsplit(json.loads((system.state_dir / "state.json").read_text())["database_url"])
    assert admin.password and admin.password not in output
