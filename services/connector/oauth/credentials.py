"""Direct OAuth credentials as submitted (`api.md` → Calendars): `{client_id, client_secret,
refresh_token}`. The secrets stay `SecretStr` until the token request; `repr` never shows them.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class OAuthCredentials(BaseModel):
    """One OAuth client's refresh token for one account."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    client_id: str = Field(min_length=1, max_length=512)
    client_secret: SecretStr = Field(min_length=1, max_length=1024)
    refresh_token: SecretStr = Field(min_length=1, max_length=4096)

    def rotated(self, refresh_token: str) -> OAuthCredentials:
        """The same client with the refresh token the token endpoint rotated to."""
        return self.model_copy(update={"refresh_token": SecretStr(refresh_token)})

    def with_client_secret(self, client_secret: SecretStr) -> OAuthCredentials:
        """The same grant of the client, under the client's new secret."""
        return self.model_copy(update={"client_secret": client_secret})

    def sealable(self) -> bytes:
        """The plaintext the grant row seals (the submitted JSON shape)."""
        return json.dumps(
            {
                "client_id": self.client_id,
                "client_secret": self.client_secret.get_secret_value(),
                "refresh_token": self.refresh_token.get_secret_value(),
            }
        ).encode()

    def fingerprint(self) -> str:
        """A one-way digest naming the grant (client and refresh token), safe to store and
        compare: refresh tokens are long random strings, so the digest reveals nothing."""
        material = f"{self.client_id}\x1f{self.refresh_token.get_secret_value()}"
        return hashlib.sha256(material.encode()).hexdigest()[:32]
