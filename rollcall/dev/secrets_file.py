"""Dev-mode secrets (role passwords, internal token, encryption key), kept beside durable data.

An ephemeral run makes new ones each time. With ROLLCALL_DATA_DIR (or an external database)
the database outlives the run, so its secrets must too: stored credentials are unreadable
without the key they were encrypted with.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from pydantic import BaseModel, Field

from rollcall.bootstrap import SERVICES


class DevSecrets(BaseModel):
    passwords: dict[str, str]
    internal_token: str
    # Secrets files written before push existed lack it: a fresh one is made (and stored).
    push_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    # The secret token of the sandbox's default Zoom app's webhook (the dev project holds it).
    zoom_webhook_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    encryption_key_id: str
    encryption_key: str


def _fresh() -> DevSecrets:
    return DevSecrets(
        passwords={s: secrets.token_urlsafe(24) for s in SERVICES},
        internal_token=secrets.token_urlsafe(32),
        push_secret=secrets.token_urlsafe(32),
        zoom_webhook_secret=secrets.token_urlsafe(24),
        encryption_key_id="dev1",
        encryption_key=base64.b64encode(os.urandom(32)).decode(),
    )


def load_or_create(path: Path | None) -> DevSecrets:
    if path is None:
        return _fresh()
    if path.exists():
        stored = DevSecrets.model_validate_json(path.read_text())
        if stored.model_fields_set != set(DevSecrets.model_fields):  # older file: add the new
            path.write_text(stored.model_dump_json())
        return stored
    values = _fresh()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(values.model_dump_json())
    return values
