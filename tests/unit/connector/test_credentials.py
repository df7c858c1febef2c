"""AES-GCM sealing of credentials: round trip, binding to the row, key ids and rotation."""

from __future__ import annotations

import base64
import os

import pytest

from services.connector.credentials import (
    Keyring,
    KeyringError,
    Sealed,
    SealError,
    associated_data,
)

SECRET = b'{"password": "hunter2"}'


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _keyring(*kids: str, active: str | None = None) -> Keyring:
    return Keyring.from_setting(",".join(f"{kid}:{_key()}" for kid in kids), active)


def test_round_trip() -> None:
    keyring = _keyring("k1")
    aad = associated_data("prj_1", "grt_1", "caldav")
    sealed = keyring.seal(SECRET, aad)
    assert sealed.key_id == "k1"
    assert SECRET not in sealed.blob
    assert keyring.open(sealed, aad) == SECRET


def test_each_seal_uses_a_fresh_nonce() -> None:
    keyring = _keyring("k1")
    aad = associated_data("prj_1", "grt_1", "caldav")
    assert keyring.seal(SECRET, aad).blob != keyring.seal(SECRET, aad).blob


@pytest.mark.parametrize(
    "other",
    [
        ("prj_1", "grt_2", "caldav"),
        ("prj_2", "grt_1", "caldav"),
        ("prj_1", "grt_1", "google"),
    ],
)
def test_blob_moved_to_another_row_does_not_open(other: tuple[str, str, str]) -> None:
    keyring = _keyring("k1")
    sealed = keyring.seal(SECRET, associated_data("prj_1", "grt_1", "caldav"))
    with pytest.raises(SealError):
        keyring.open(sealed, associated_data(*other))


def test_tampered_blob_does_not_open() -> None:
    keyring = _keyring("k1")
    aad = associated_data("prj_1", "grt_1", "caldav")
    sealed = keyring.seal(SECRET, aad)
    flipped = bytes([sealed.blob[-1] ^ 1])
    with pytest.raises(SealError):
        keyring.open(Sealed(sealed.key_id, sealed.blob[:-1] + flipped), aad)


def test_unknown_key_id_does_not_open() -> None:
    aad = associated_data("prj_1", "grt_1", "caldav")
    sealed = _keyring("k1").seal(SECRET, aad)
    with pytest.raises(SealError, match="no encryption key"):
        _keyring("k2").open(sealed, aad)


def test_rotation_opens_blobs_sealed_with_the_old_key() -> None:
    old, new = _key(), _key()
    aad = associated_data("prj_1", "grt_1", "caldav")
    before = Keyring.from_setting(f"k1:{old}", None)
    sealed = before.seal(SECRET, aad)
    after = Keyring.from_setting(f"k1:{old},k2:{new}", "k2")
    assert after.open(sealed, aad) == SECRET
    assert after.seal(SECRET, aad).key_id == "k2"


@pytest.mark.parametrize(
    ("spec", "active", "message"),
    [
        ("", None, "CONNECTOR_ENCRYPTION_KEYS is not set"),
        ("k1", None, "kid:base64"),
        ("k1:not base64!", None, "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", None, "must be 32 bytes"),
        (f"k1:{_key()},k2:{_key()}", None, "CONNECTOR_ACTIVE_KEY_ID"),
        (f"k1:{_key()}", "k9", "not among the keys"),
    ],
)
def test_bad_key_settings_refuse_to_start(spec: str, active: str | None, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        Keyring.from_setting(spec, active)


def test_sealed_repr_shows_no_bytes() -> None:
    sealed = _keyring("k1").seal(SECRET, b"aad")
    assert repr(sealed) == f"Sealed(key_id='k1', blob=<{len(sealed.blob)} bytes>)"
