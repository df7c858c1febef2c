"""The SSRF guard refuses non-public addresses, odd host spellings and non-http(s) schemes."""

from __future__ import annotations

import ipaddress

import pytest

from services.connector.ssrf import UnresolvableHost, UnsafeUrl, UrlGuard, refusal, resolve_host


def _resolving_to(*addresses: str) -> UrlGuard:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return UrlGuard(allow_loopback=False, resolve=resolve)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.10:8443/dav/",
        "http://127.0.0.1:5232/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
    ],
)
async def test_literal_addresses_that_are_not_public_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="not allowed"):
        await UrlGuard(allow_loopback=False).check(url)


# Every spelling of loopback and of the metadata address that a resolver accepts: dotted
# octal and hex, a single decimal/octal/hex number, short forms, and IPv6 wrappings.
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://0177.0.0.1/", "loopback"),
        ("http://017700000001/", "loopback"),
        ("http://0x7f000001/", "loopback"),
        ("http://0x7f.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://127.000.000.001/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
        ("http://2852039166/", "metadata"),
        ("http://0xa9fea9fe/", "metadata"),
        ("http://0251.0376.0251.0376/", "metadata"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "metadata"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://[::ffff:a9fe:a9fe]/", "metadata"),
        ("http://[fd00:ec2::254]/", "metadata"),
        ("http://100.100.100.200/", "metadata"),
        ("http://192.0.0.192/", "metadata"),
        ("http://168.63.129.16/", "metadata"),
        ("http://169.254.170.2/", "metadata"),
        ("http://169.254.0.1/", "link-local"),
        ("http://[fe80::dead:beef]/", "link-local"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://012.0.0.1/", "private"),
        ("http://0xc0a80001/", "private"),
        ("http://3232235521/", "private"),
        ("http://[2002:c0a8:1::1]/", "private"),
        ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "private"),
        ("http://[fec0::1]/", "site-local"),
        ("http://[64:ff9b::7f00:1]/", "reserved"),
        ("http://[::7f00:1]/", "reserved"),
        ("http://0/", "unspecified"),
    ],
)
async def test_every_notation_of_a_refused_address_is_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        await UrlGuard(allow_loopback=False).check(url)


async def test_dev_mode_allows_loopback_in_every_notation_but_nothing_else() -> None:
    for url in ("http://0177.0.0.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/"):
        await UrlGuard(allow_loopback=True).check(url)
    for url in ("http://0xa9fea9fe/", "http://012.0.0.1/", "http://[fd00:ec2::254]/"):
        with pytest.raises(UnsafeUrl):
            await UrlGuard(allow_loopback=True).check(url)


@pytest.mark.parametrize(
    "url",
    ["ftp://caldav.example.com/", "file:///etc/passwd", "gopher://x/", "caldav.example.com"],
)
async def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="only http and https"):
        await _resolving_to("93.184.216.34").check(url)


async def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(UnsafeUrl, match="must not contain credentials"):
        await _resolving_to("93.184.216.34").check("https://u:p@caldav.example.com/")


async def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    with pytest.raises(UnsafeUrl, match="private"):
        await _resolving_to("93.184.216.34", "10.0.0.7").check("https://caldav.example.com/")


async def test_a_public_name_is_allowed() -> None:
    await _resolving_to("93.184.216.34", "2606:2800:220:1::248").check(
        "https://caldav.example.com/dav/"
    )


async def test_loopback_is_allowed_only_when_configured() -> None:
    await UrlGuard(allow_loopback=True).check("http://127.0.0.1:5232/")
    await UrlGuard(allow_loopback=True).check("http://[::1]:5232/")
    with pytest.raises(UnsafeUrl, match="private"):
        await UrlGuard(allow_loopback=True).check("http://10.0.0.1/")
    with pytest.raises(UnsafeUrl, match="metadata"):
        await UrlGuard(allow_loopback=True).check("http://169.254.169.254/")
    with pytest.raises(UnsafeUrl, match="link-local"):
        await UrlGuard(allow_loopback=True).check("http://169.254.1.1/")


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UnresolvableHost):
        await _resolving_to().check("https://nowhere.invalid/")


async def test_resolver_reports_unresolvable_names() -> None:
    with pytest.raises(UnresolvableHost):
        await resolve_host("name.invalid", 443)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("2002:0a00:0001::1", "a private address"),
        ("::", "an unspecified address"),
        ("ff02::1", "a multicast address"),
    ],
)
def test_refusal_reasons(address: str, expected: str | None) -> None:
    assert refusal(ipaddress.ip_address(address), allow_loopback=False) == expected
