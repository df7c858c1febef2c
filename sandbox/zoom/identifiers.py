"""What Zoom's identifiers and secrets look like: user and account ids, numeric meeting ids, meeting
UUIDs, passcodes, and the join and start URLs built from them (providers.md §4, §5.3).

Stable ids derive from the sandbox account id; per-meeting values come from the `random.Random`
handed in (a seeded one for `POST /_admin/seed`, `secrets.SystemRandom` otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import random
import string

WEB_HOST = "https://us05web.zoom.us"  # Zoom serves accounts from regional hosts like this one
# Zoom's ZAK in a start URL is a JWT; only its shape matters here.
_ZAK_HEADER = "eyJ0eXAiOiJKV1QiLCJzdiI6IjAwMDAwMSIsInptX3NrbSI6InptX28ybSIsImFsZyI6IkhTMjU2In0."
_PASSCODE_CHARS = string.ascii_letters + string.digits


def _digest(kind: str, basis: str) -> bytes:
    return hashlib.sha256(f"{kind}:{basis}".encode()).digest()


def user_id(account_id: str) -> str:
    """22 URL-safe characters, like Zoom's user ids (`KDcuGIm1QgePTO8WbOqwIQ`)."""
    return base64.urlsafe_b64encode(_digest("user", account_id)[:16]).decode().rstrip("=")


def zoom_account_id(account_id: str) -> str:
    """The Zoom account (organisation) the user belongs to: one per sandbox user."""
    return base64.urlsafe_b64encode(_digest("account", account_id)[:16]).decode().rstrip("=")


def personal_meeting_id(account_id: str) -> int:
    return 1_000_000_000 + int.from_bytes(_digest("pmi", account_id)[:8]) % 9_000_000_000


def meeting_id(rng: random.Random) -> int:
    """11 digits, as Zoom's scheduled meetings have had since 2020."""
    return rng.randrange(81_000_000_000, 99_000_000_000)


def meeting_uuid(rng: random.Random) -> str:
    """Base64 of 16 bytes (`aDYlohsHRtCd4ii1uC2+hA==`): may hold `/` and `+`, which clients
    must double-encode in paths, as in real life."""
    return base64.b64encode(rng.randbytes(16)).decode()


def passcode(rng: random.Random) -> str:
    return "".join(rng.choice(_PASSCODE_CHARS) for _ in range(6))


def numeric_passcode(rng: random.Random) -> str:
    """The passcode phone and SIP participants type (`h323_password`, `pstn_password`)."""
    return "".join(rng.choice(string.digits) for _ in range(6))


def encrypted_passcode(rng: random.Random) -> str:
    """The `pwd=` value of a join URL: opaque, to pass through unchanged (providers.md §5.3)."""
    return base64.urlsafe_b64encode(rng.randbytes(24)).decode() + ".1"


def join_url(meeting: int, encrypted: str) -> str:
    return f"{WEB_HOST}/j/{meeting}?pwd={encrypted}"


def start_url(meeting: int, rng: random.Random) -> str:
    """The host's start link: it carries a fresh ZAK, a credential that starts the meeting as the
    host, so it is a secret (never listed, never in webhooks)."""
    zak = base64.urlsafe_b64encode(rng.randbytes(96)).decode().rstrip("=")
    return f"{WEB_HOST}/s/{meeting}?zak={_ZAK_HEADER}{zak}"
