"""Graph's paging links (`@odata.nextLink`, `@odata.deltaLink`, a resync `Location`) checked
against the configured Graph base URL before they are followed or stored.

A link is absolute and meant to be followed verbatim (providers.md §2.3), but the connector
sends the account's bearer token with it: a link to any other origin, or outside the base
path, is refused (it would leak the token, or be an SSRF). What is stored as a sync cursor is
the link relative to the base (`/v1.0/me/calendars/…/delta?$deltatoken=…`), so a cursor
follows the operator's `MICROSOFT_GRAPH_BASE_URL` if it changes and never names a host.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


class ForeignLink(ValueError):
    """Raised when a link leaves the configured Graph base URL."""


def relative_link(link: str, base_url: str) -> str:
    """`link` relative to `base_url` (starting with `/`); raises `ForeignLink`."""
    base, target = urlsplit(base_url.rstrip("/")), urlsplit(link)
    if _origin(target) != _origin(base) or target.fragment or target.username:
        raise ForeignLink("the link leaves the Graph base URL")
    prefix = base.path.rstrip("/")
    if not target.path.startswith(prefix + "/") or "/../" in target.path + "/":
        raise ForeignLink("the link leaves the Graph base URL")
    rest = target.path[len(prefix) :]
    return f"{rest}?{target.query}" if target.query else rest


def absolute_link(relative: str, base_url: str) -> str:
    """A stored relative link on the configured base; raises `ForeignLink` for one that is
    not relative (a cursor is never trusted to name a host)."""
    if not relative.startswith("/") or relative.startswith("//"):
        raise ForeignLink("a stored link must be relative")
    link = base_url.rstrip("/") + relative
    relative_link(link, base_url)  # no `..` escapes
    return link


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        raise ForeignLink("the link has an invalid port") from None
    return scheme, (parts.hostname or "").lower(), port
