"""Graph's delegated permissions as the sandbox checks them: which scope a path needs, and how the
scope strings of an authorization request are written back (`https://graph.microsoft.com/X` → `X`).
"""

from __future__ import annotations

GRAPH_RESOURCE = "https://graph.microsoft.com/"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
DEFAULT_GRANTED = "offline_access User.Read Calendars.ReadWrite"


def normalize(requested: str) -> str:
    """Short names in request order, without duplicates; `.default` means the app's defaults."""
    names: list[str] = []
    for raw in requested.split():
        name = raw.removeprefix(GRAPH_RESOURCE)
        expanded = DEFAULT_GRANTED.split() if name == ".default" else [name]
        names.extend(n for n in expanded if n not in names)
    return " ".join(names)


def token_scope(granted: str) -> str:
    """The `scope` of a token answer: the Graph permissions and OpenID ones, not offline_access."""
    return " ".join(s for s in granted.split() if s != "offline_access")


def allows(granted: frozenset[str], path: str, *, writes: bool) -> bool:
    """Whether `granted` covers a call to `path` (relative to `/v1.0`)."""
    if path in ("/me", "/me/"):
        return any(s.startswith(("User.", "Directory.")) for s in granted)
    if writes and not path.startswith("/subscriptions"):
        return any(s.startswith("Calendars.ReadWrite") for s in granted)
    return any(s.startswith("Calendars.") for s in granted)
