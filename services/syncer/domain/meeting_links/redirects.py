"""Redirectors wrapped around meeting links by mail and calendar clients, undone before matching:
Outlook SafeLinks (nested too), Google's `/url?q=`, the Teams launcher and Proofpoint URL
Defense v1, v2 and v3. Mimecast links are opaque (their target takes a network hop to learn),
so they stay as they are and match no platform.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from urllib.parse import unquote

from services.syncer.domain.meeting_links import cleanup, links

_MOST_LAYERS = 5
_SAFELINKS = (".safelinks.protection.outlook.com", ".safelinks.protection.office365.us")
_TEAMS_HOSTS = frozenset({"teams.microsoft.com", "teams.live.com", "teams.cloud.microsoft"})
# Proofpoint v3 (`__<url>__;<base64 of the replaced characters>!…`): each `*` in the URL stands
# for one replaced character, `**<c>` for a run whose length `<c>` encodes, starting at 2.
_V3 = re.compile(r"https://urldefense\.com/v3/__(?P<url>.+?)__;(?P<replaced>[A-Za-z0-9_-]*)!")
_V3_TOKEN = re.compile(r"\*(\*.)?")
_V3_RUNS = {
    c: n
    for n, c in enumerate(string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_", 2)
}
_V3_ONE_SLASH = re.compile(r"^([a-z0-9+.-]+:/)([^/].+)", re.IGNORECASE)


def unwrap(link: links.Link) -> links.Link:
    """The innermost readable target of `link` (itself when it wraps nothing), layer by layer
    while each layer yields a new link, at most five layers deep."""
    for _ in range(_MOST_LAYERS):
        target = _target(link)
        inner = links.parse(cleanup.absolute_url(target.strip())) if target else None
        if inner is None or inner.url == link.url:
            break
        link = inner
    return link


def _target(link: links.Link) -> str | None:
    host = link.host
    if host.endswith(_SAFELINKS):
        return link.param("url")
    if link.path == "/url" and _is_google(host):
        return link.param("q") or link.param("url")
    if host in _TEAMS_HOSTS and link.path.lower() == "/dl/launcher/launcher.html":
        return _teams_launcher_target(host, link.param("url"))
    if host == "urldefense.proofpoint.com":
        return _proofpoint_v1_v2_target(link)
    if host == "urldefense.com":
        return _proofpoint_v3_target(link.url)
    return None


def _is_google(host: str) -> bool:
    """google.com and its country domains (google.de, google.co.uk, google.com.au), with or
    without `www.`."""
    labels = host.removeprefix("www.").split(".")
    if labels[0] != "google":
        return False
    return len(labels) == 2 or (len(labels) == 3 and labels[1] in ("co", "com"))


def _teams_launcher_target(host: str, target: str | None) -> str | None:
    """The launcher's `url` is a path in the web client (`/_#/l/meetup-join/…`)."""
    if not target or not target.startswith("/"):
        return target
    return f"https://{host}{target.removeprefix('/_#')}"


def _proofpoint_v1_v2_target(link: links.Link) -> str | None:
    encoded = link.param("u")
    if encoded is None:
        return None
    if link.path.startswith("/v2/"):  # `-XX` for `%XX`, `_` for `/`
        encoded = encoded.replace("-", "%").replace("_", "/")
    return unquote(encoded)


def _proofpoint_v3_target(url: str) -> str | None:
    match = _V3.match(url)
    if match is None:
        return None
    try:
        replaced = base64.urlsafe_b64decode(match.group("replaced") + "==").decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    target = match.group("url")
    if one_slash := _V3_ONE_SLASH.match(target):
        target = f"{one_slash.group(1)}/{one_slash.group(2)}"
    return _v3_substituted(unquote(target), replaced)


def _v3_substituted(target: str, replaced: str) -> str:
    parts: list[str] = []
    used = end = 0
    for token in _V3_TOKEN.finditer(target):
        run = _V3_RUNS.get(token.group(1)[1], 0) if token.group(1) else 1
        parts += [target[end : token.start()], replaced[used : used + run]]
        used, end = used + run, token.end()
    parts.append(target[end:])
    return "".join(parts)
