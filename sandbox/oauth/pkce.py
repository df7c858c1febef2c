"""PKCE (RFC 7636): checking a token request's `code_verifier` against the code's challenge."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal

ChallengeMethod = Literal["plain", "S256"]
METHODS: tuple[ChallengeMethod, ...] = ("plain", "S256")


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(challenge: str, method: ChallengeMethod, verifier: str) -> bool:
    """True when `verifier` answers `challenge` (RFC 7636 §4.6); compared in constant time."""
    if not verifier.isascii():
        return False
    expected = s256_challenge(verifier) if method == "S256" else verifier
    return hmac.compare_digest(expected, challenge)
