"""`python -m services.syncer`: serve the syncer's health endpoints and consume its topics."""

from __future__ import annotations

import uvicorn

from services.syncer.app import SERVICE, create_app
from services.syncer.settings import SyncerSettings
from shared.logging import configure_logging

if __name__ == "__main__":
    settings = SyncerSettings()
    configure_logging(SERVICE, settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
