"""`python -m services.scheduler`: serve the scheduler's health endpoints and consume its topics."""

from __future__ import annotations

import uvicorn

from services.scheduler.app import SERVICE, create_app
from services.scheduler.settings import SchedulerSettings
from shared.logging import configure_logging

if __name__ == "__main__":
    settings = SchedulerSettings()
    configure_logging(SERVICE, settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
