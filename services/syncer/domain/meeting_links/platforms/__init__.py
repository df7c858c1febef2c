"""Per-platform recognisers, found by the link's host: each says whether a link is a joinable
meeting link of its platform and which meeting it names. Unknown hosts go to `other`."""

from __future__ import annotations

from collections.abc import Callable

from services.syncer.domain.meeting_links.links import JoinLink, Link
from services.syncer.domain.meeting_links.platforms import (
    bluejeans,
    chime,
    google_meet,
    goto,
    jitsi,
    other,
    ringcentral,
    teams,
    webex,
    whereby,
    zoom,
)

Recogniser = Callable[[Link], JoinLink | None]

_RECOGNISERS: tuple[tuple[tuple[str, ...], Recogniser], ...] = (
    (zoom.DOMAINS, zoom.recognise),
    (google_meet.DOMAINS, google_meet.recognise),
    (teams.DOMAINS, teams.recognise),
    (webex.DOMAINS, webex.recognise),
    (goto.DOMAINS, goto.recognise),
    (jitsi.DOMAINS, jitsi.recognise),
    (whereby.DOMAINS, whereby.recognise),
    (chime.DOMAINS, chime.recognise),
    (bluejeans.DOMAINS, bluejeans.recognise),
    (ringcentral.DOMAINS, ringcentral.recognise),
)
_BY_DOMAIN = {domain: recogniser for domains, recogniser in _RECOGNISERS for domain in domains}
_MOST_DOMAIN_LABELS = max(domain.count(".") + 1 for domain in _BY_DOMAIN)

# The hosts (and their subdomains) whose links are recognised even without a scheme.
WELL_KNOWN_DOMAINS = tuple(sorted(_BY_DOMAIN, key=len, reverse=True))


def recognise(link: Link, other_hosts: other.HostAllowList) -> JoinLink | None:
    """The meeting link `link` is, or None (not a join link, or an unknown host not allowed)."""
    recogniser = _recogniser_for(link.host)
    if recogniser is not None:
        return recogniser(link)
    return other.recognise(link, other_hosts)


def is_well_known(host: str) -> bool:
    """Whether `host` is (a subdomain of) a platform's domain."""
    return _recogniser_for(host) is not None


def _recogniser_for(host: str) -> Recogniser | None:
    """The recogniser of the host or of its nearest registered parent domain."""
    labels = host.split(".")
    for start in range(max(0, len(labels) - _MOST_DOMAIN_LABELS), len(labels)):
        recogniser = _BY_DOMAIN.get(".".join(labels[start:]))
        if recogniser is not None:
            return recogniser
    return None
