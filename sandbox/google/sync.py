"""Page and sync tokens: opaque to clients, a few numbers to the sandbox (providers.md §1.4-1.5).

A sync token records the change sequence a listing started at, so every change made after that
moment (even while the client was still paging) shows up in the next incremental listing. Tokens
die with an epoch bump (`expire_sync_tokens`) or with age.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sandbox.google import errors


@dataclass(frozen=True)
class SyncToken:
    """`nextSyncToken`: the listing's scope (calendar id, or the account for calendarList)."""

    scope: str
    account_id: str
    seq: int
    epoch: int
    issued: float
    single_events: bool = False
    window: tuple[float | None, float | None] | None = None  # the full sync's timeMin/timeMax


@dataclass(frozen=True)
class PageToken:
    """`nextPageToken`: where the listing resumes, and the snapshot its sync token will carry."""

    scope: str
    snapshot: int
    fingerprint: str
    seq: int = 0
    sub: float | None = None
    sort_key: tuple[float, str] | None = None


def fingerprint(*params: Any) -> str:
    """A short digest of the filter parameters a page token must be reused with."""
    return hashlib.sha1(
        json.dumps(params, default=str).encode(), usedforsecurity=False
    ).hexdigest()[:12]


def encode_sync_token(token: SyncToken) -> str:
    fields = [token.scope, token.account_id, token.seq, token.epoch, token.issued]
    window = list(token.window) if token.window else None
    return _encode(["s", *fields, token.single_events, window])


def encode_page_token(token: PageToken) -> str:
    key = list(token.sort_key) if token.sort_key else None
    fields = [token.scope, token.snapshot, token.fingerprint, token.seq, token.sub, key]
    return _encode(["p", *fields])


def read_sync_token(
    raw: str, *, scope: str, account_id: str, epoch: int, now: float, ttl_seconds: int
) -> SyncToken:
    """The token if it is still good for this scope; 410 fullSyncRequired otherwise."""
    decoded = _decode(raw)
    try:
        kind, token_scope, token_account, seq, token_epoch, issued, single, window = decoded
        token = SyncToken(
            str(token_scope),
            str(token_account),
            int(seq),
            int(token_epoch),
            float(issued),
            bool(single),
            (_number(window[0]), _number(window[1])) if window else None,
        )
    except (TypeError, ValueError):
        raise errors.full_sync_required() from None
    if kind != "s" or token.scope != scope or token.account_id != account_id:
        raise errors.full_sync_required()
    if token.epoch != epoch or now - token.issued > ttl_seconds:
        raise errors.full_sync_required()
    return token


def read_page_token(raw: str, *, scope: str, fingerprint: str) -> PageToken:
    """The token if it continues this very listing; 400 otherwise."""
    try:
        kind, token_scope, snapshot, token_print, seq, sub, key = _decode(raw)
        token = PageToken(
            str(token_scope),
            int(snapshot),
            str(token_print),
            int(seq),
            None if sub is None else float(sub),
            None if key is None else (float(key[0]), str(key[1])),
        )
    except (TypeError, ValueError, IndexError):
        raise errors.bad_request("Invalid page token.", location="pageToken") from None
    if kind != "p" or token.scope != scope or token.fingerprint != fingerprint:
        raise errors.bad_request(
            "The pageToken does not belong to this request; repeat the first request's parameters.",
            location="pageToken",
        )
    return token


def _encode(fields: list[Any]) -> str:
    text = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(raw: str) -> list[Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return []
    return value if isinstance(value, list) else []


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
