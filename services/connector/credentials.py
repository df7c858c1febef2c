"""Credentials at rest: AES-GCM sealing bound to the grant it belongs to, with key rotation.

A sealed blob is `nonce || ciphertext` under a key id; the associated data names the project,
grant and credential kind, so a blob copied onto another row fails to open.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_KEY_BYTES = 32


class KeyringError(ValueError):
    """Raised at startup when the configured encryption keys are missing or malformed."""


class SealError(Exception):
    """Raised when sealed credentials cannot be opened: unknown key id, or tampered/moved blob."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    blob: bytes

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, blob=<{len(self.blob)} bytes>)"


def associated_data(project_id: str, grant_id: str, kind: str) -> bytes:
    """What a ciphertext is bound to: the row it was written for."""
    return f"rollcall:{project_id}:{grant_id}:{kind}".encode()


class Keyring:
    """Encrypts with the active key; decrypts with whichever key id a blob names."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise KeyringError(f"the active key id {active_key_id!r} is not among the keys")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_key_id = active_key_id

    @classmethod
    def from_setting(cls, spec: str, active_key_id: str | None) -> Keyring:
        """Parse `kid:base64-of-32-bytes[,kid:...]`; without an active id, a single key is it."""
        keys = _parse_keys(spec)
        if active_key_id is None:
            if len(keys) != 1:
                raise KeyringError("set CONNECTOR_ACTIVE_KEY_ID: several encryption keys are given")
            active_key_id = next(iter(keys))
        return cls(keys, active_key_id)

    def seal(self, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = self._keys[self.active_key_id].encrypt(nonce, plaintext, aad)
        return Sealed(self.active_key_id, nonce + ciphertext)

    def open(self, sealed: Sealed, aad: bytes) -> bytes:
        cipher = self._keys.get(sealed.key_id)
        if cipher is None:
            raise SealError(f"no encryption key with id {sealed.key_id!r}")
        nonce, ciphertext = sealed.blob[:_NONCE_BYTES], sealed.blob[_NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, ciphertext, aad)
        except InvalidTag:
            raise SealError("sealed credentials do not match their row or key") from None


def _parse_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        kid, sep, encoded = item.partition(":")
        if not sep or not kid:
            raise KeyringError("CONNECTOR_ENCRYPTION_KEYS entries must look like kid:base64")
        keys[kid.strip()] = _decode_key(kid.strip(), encoded.strip())
    if not keys:
        raise KeyringError(
            "CONNECTOR_ENCRYPTION_KEYS is not set: give at least one kid:base64-of-32-bytes key"
        )
    return keys


def _decode_key(kid: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"encryption key {kid!r} is not valid base64") from None
    if len(key) != _KEY_BYTES:
        raise KeyringError(f"encryption key {kid!r} must be 32 bytes, got {len(key)}")
    return key
