"""Meeting keys (`../shared/api.md` → Calendar events): `<platform>:<meeting id>` where the
platform has meeting ids, otherwise the canonical URL without tracking or credential parameters.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

# Parameters that say who clicked or let the holder in, never which meeting it is.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "authuser", "hs"})
_CREDENTIALS = frozenset(
    {"pwd", "pw", "p", "passcode", "password", "tk", "token", "jwt", "roomkey", "zak", "uname"}
)


def with_id(platform: str, meeting_id: str) -> str:
    return f"{platform}:{meeting_id}"


def canonical_url(host: str, path: str, query: str = "") -> str:
    """https, the host without `www.`, the path without a trailing slash, and the query's
    remaining parameters sorted (so two spellings of one link agree); no fragment."""
    host = host.removeprefix("www.")
    path = path.rstrip("/")
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not _identifies_nothing(name.lower())
    )
    tail = f"?{urlencode(kept, quote_via=quote)}" if kept else ""
    return f"https://{host}{path}{tail}"


def _identifies_nothing(name: str) -> bool:
    return name in _TRACKING or name in _CREDENTIALS or name.startswith(_TRACKING_PREFIXES)
