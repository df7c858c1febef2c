"""`python -m services.connector`: serve the internal API, consume commands, run the sync worker."""

from __future__ import annotations

import uvicorn

from services.connector.app import SERVICE, create_app
from services.connector.credentials import KeyringError
from services.connector.settings import ConnectorSettings
from shared.logging import configure_logging

if __name__ == "__main__":
    settings = ConnectorSettings()
    configure_logging(SERVICE, settings.log_level)
    try:
        app = create_app(settings)
    except KeyringError as exc:
        raise SystemExit(f"connector: refusing to start: {exc}") from None
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)
