"""`python -m services.gateway`: serve the public API and consume the read-model topics."""

from __future__ import annotations

import uvicorn

from services.gateway.app import SERVICE, create_app
from services.gateway.settings import GatewaySettings
from shared.logging import configure_logging

if __name__ == "__main__":
    settings = GatewaySettings()
    configure_logging(SERVICE, settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
