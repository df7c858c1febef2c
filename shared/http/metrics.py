"""Prometheus `/metrics` for a FastAPI app (process and client-library collectors)."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import make_asgi_app


def mount_metrics(app: FastAPI) -> None:
    app.mount("/metrics", make_asgi_app())
