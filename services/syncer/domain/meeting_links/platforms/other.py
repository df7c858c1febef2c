"""`other`: a link on a host the operator's allow-list names (say a self-hosted Jitsi), since
on an unknown host nothing tells a meeting link from any other link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link


@dataclass(frozen=True, slots=True)
class HostAllowList:
    """Hosts whose links count as meeting links; an entry also covers its subdomains."""

    hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[str]) -> HostAllowList:
        """From setting entries like `meet.example.org`, `*.example.org` or `.example.org`."""
        cleaned = (entry.strip().lower().lstrip("*").strip(".") for entry in entries)
        return cls(frozenset(entry for entry in cleaned if entry))

    def allows(self, host: str) -> bool:
        if not self.hosts:
            return False
        return any(host == entry or host.endswith("." + entry) for entry in self.hosts)


NO_HOSTS = HostAllowList()


def recognise(link: Link, allowed: HostAllowList) -> JoinLink | None:
    if not allowed.allows(link.host) or (link.path in ("", "/") and not link.query):
        return None
    return JoinLink("other", link.url, None, keys.canonical_url(link.host, link.path, link.query))
