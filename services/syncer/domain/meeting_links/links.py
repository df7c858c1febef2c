"""A candidate link parsed once, and what a platform recogniser makes of it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit


@dataclass(frozen=True, slots=True)
class Link:
    """An absolute http(s) link: `url` has its scheme and host lower-cased, the rest as written."""

    url: str
    host: str
    path: str
    query: str
    fragment: str

    def param(self, name: str) -> str | None:
        """The first value of the query parameter `name` (any case), percent-decoded once."""
        wanted = name.lower()
        for pair in self.query.split("&"):
            key, _, value = pair.partition("=")
            if key.lower() == wanted:
                return unquote_plus(value)  # only this one: SafeLinks' other values are long
        return None

    def segments(self) -> list[str]:
        return [segment for segment in self.path.split("/") if segment]


@dataclass(frozen=True, slots=True)
class JoinLink:
    """A joinable link of one platform: the URL to report, the meeting's id and key, the
    passcode the link itself carries, and whether the link admits its holder without one."""

    platform: str
    url: str
    meeting_id: str | None
    key: str
    passcode: str | None = None
    admits: bool = True


def parse(url: str) -> Link | None:
    """The link, or None when `url` is not an absolute http(s) URL with a host."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an invalid IPv6 literal or port
        return None
    if not host:
        return None
    after_host = rest[len(parts.netloc) :]
    return Link(
        url=f"{scheme.lower()}://{parts.netloc.lower()}{after_host}",
        host=host.rstrip("."),
        path=parts.path,
        query=parts.query,
        fragment=parts.fragment,
    )
