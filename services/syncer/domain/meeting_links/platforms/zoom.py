"""Zoom and ZoomGov: meeting, webinar and web-client links on any subdomain or vanity host,
personal links, registration pages and the `zoommtg://` form (made https by the clean-up).

Host start links (`/s/<id>`, `/wc/<id>/start`) carry the host's credentials and are refused.
The `pwd` parameter is an encoded passcode: it stays in the URL and out of the key.
"""

from __future__ import annotations

import re

from services.syncer.domain.meeting_links import keys
from services.syncer.domain.meeting_links.links import JoinLink, Link

DOMAINS = ("zoom.us", "zoom.com", "zoom.com.cn", "zoom.de", "zoom-x.de", "zoomgov.com")
# Zoom's own sites that share the domain but never host a meeting.
_SITES = frozenset(
    {"support", "community", "explore", "blog", "status", "marketplace", "developers", "devforum"}
)
_MEETING = re.compile(r"/(j|w|s|wc/join|wc)/(\d{9,11})(/join|/start)?/?", re.IGNORECASE)
_PERSONAL = re.compile(r"/my/([a-z][a-z0-9.]{2,39})/?", re.IGNORECASE)
_REGISTRATION = re.compile(r"/(meeting|webinar)/register/([A-Za-z0-9_-]{4,64})/?")
_NUMBER = re.compile(r"\d{9,11}")


def recognise(link: Link) -> JoinLink | None:
    if link.host.split(".", 1)[0] in _SITES:
        return None
    if meeting := _MEETING.fullmatch(link.path):
        kind, number, action = meeting.groups()
        if kind.lower() == "s" or (action or "").lower() == "/start":
            return None
        return _numbered(link.url, number, link.param("pwd"))
    if link.path.lower().rstrip("/") == "/join":  # zoommtg://zoom.us/join?confno=…&pwd=…
        return _app_link(link)
    if personal := _PERSONAL.fullmatch(link.path):
        path = f"/my/{personal.group(1).lower()}"
        return JoinLink("zoom", link.url, None, keys.canonical_url(_family(link.host), path))
    if registration := _REGISTRATION.fullmatch(link.path):
        path = f"/{registration.group(1)}/register/{registration.group(2)}"
        return JoinLink("zoom", link.url, None, keys.canonical_url(_family(link.host), path))
    return None


def _numbered(url: str, number: str, pwd: str | None) -> JoinLink:
    return JoinLink("zoom", url, number, keys.with_id("zoom", number), admits=bool(pwd))


def _app_link(link: Link) -> JoinLink | None:
    number = (link.param("confno") or "").replace(" ", "").replace("-", "")
    if not _NUMBER.fullmatch(number):
        return None
    pwd = link.param("pwd")
    url = f"https://{link.host}/j/{number}" + (f"?pwd={pwd}" if pwd else "")
    return _numbered(url, number, pwd)


def _family(host: str) -> str:
    """The registrable domain a personal link belongs to: `acme.zoom.us` → `zoom.us`."""
    return next((d for d in DOMAINS if host == d or host.endswith("." + d)), host)
