"""Server-side request forgery guard for user-supplied server URLs.

A URL is allowed only if it is http(s), carries no credentials, and every address its host
resolves to is public (loopback only when the settings allow it, for development).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnsafeUrl(ValueError):
    """Raised when a URL may not be contacted; the message is safe to show to the caller."""


class UnresolvableHost(UnsafeUrl):
    """Raised when the URL's host name does not resolve (possibly a transient DNS failure)."""


def split_target(url: str) -> tuple[str, int]:
    """The host and port a URL points at; refuses other schemes and embedded credentials."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the URL must not contain credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("the URL has an invalid port") from None
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    return parts.hostname, port


# Cloud metadata and host-agent endpoints, some outside the private ranges (Azure's wire
# server is a public address reachable only from inside its VMs).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
        "168.63.129.16",  # Azure wire server
    )
)


def refusal(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why `address` may not be contacted, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _teredo_client(address)
        if embedded is not None:
            return refusal(embedded, allow_loopback=allow_loopback)
        if address.is_site_local:
            return "a site-local address"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def _teredo_client(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    teredo = address.teredo
    return teredo[1] if teredo else None


def check_address(text: str, *, allow_loopback: bool) -> None:
    """Raise `UnsafeUrl` unless the textual address (as resolved or connected to) is allowed."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    reason = refusal(address, allow_loopback=allow_loopback)
    if reason is not None:
        raise UnsafeUrl(f"the URL's host resolves to {reason}, which is not allowed")


def check_addresses(addresses: list[str], *, allow_loopback: bool) -> None:
    if not addresses:
        raise UnresolvableHost("the URL's host name does not resolve")
    for text in addresses:
        check_address(text, allow_loopback=allow_loopback)


def check_url_blocking(url: str, *, allow_loopback: bool) -> None:
    """`UrlGuard.check` for code already running in a worker thread (the sync HTTP client)."""
    host, port = split_target(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnresolvableHost("the URL's host name does not resolve") from None
    check_addresses([str(info[4][0]) for info in infos], allow_loopback=allow_loopback)


async def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the HTTP client would connect (no blocking call)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnresolvableHost("the URL's host name does not resolve") from None
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class UrlGuard:
    """Checks URLs before any request is made to them."""

    allow_loopback: bool
    resolve: Resolver = resolve_host

    async def check(self, url: str) -> None:
        """Return if `url` may be contacted; raise `UnsafeUrl` with a clear reason if not."""
        host, port = split_target(url)
        addresses = await self.resolve(host, port)
        check_addresses(addresses, allow_loopback=self.allow_loopback)
