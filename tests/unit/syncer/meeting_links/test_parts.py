"""The pieces the corpus exercises only together: fold detection, redirect depth, Proofpoint v3
runs, canonical URLs and the allow-list."""

from __future__ import annotations

from services.syncer.domain.meeting_links import keys, links, redirects, scanning
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from tests.unit.syncer.meeting_links import wrappers

ZOOM = "https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1"


def unwrapped(url: str) -> str:
    link = links.parse(url)
    assert link is not None
    return redirects.unwrap(link).url


def test_folds_are_undone_only_inside_a_url() -> None:
    line = "DESCRIPTION:Join the weekly planning call with all the team now: https://zo"
    assert len(line) == 75
    assert scanning.unfolded(f"{line}\r\n om.us/j/85551234567") == line + "om.us/j/85551234567"
    prose = "DESCRIPTION:Join the weekly planning call with the whole team today or"
    assert scanning.unfolded(f"{prose}\r\n later") == f"{prose}\r\n later"
    short = "Join: https://zoom.us/j/85551234567"
    assert scanning.unfolded(f"{short}\n Passcode: 1") == f"{short}\n Passcode: 1"


def test_redirects_are_undone_at_most_five_layers_deep() -> None:
    url = ZOOM
    for _ in range(5):
        url = wrappers.safelinks(url)
    assert unwrapped(url) == ZOOM
    assert "safelinks" in unwrapped(wrappers.safelinks(url))


def test_proofpoint_v3_runs_of_replaced_characters() -> None:
    original = "https://meet.jit.si/a__b%25c*d"
    wrapped = wrappers.proofpoint_v3(original)
    assert "**" in wrapped
    assert unwrapped(wrapped) == original


def test_a_broken_proofpoint_v3_link_stays_as_it_is() -> None:
    broken = "https://urldefense.com/v3/__https://zoom.us/j/85551234567*__;$$$!!x$"
    assert unwrapped(broken) == broken


def test_canonical_urls_drop_tracking_credentials_and_fragments() -> None:
    canonical = keys.canonical_url(
        "www.meet.example.org", "/r/board/", "b=2&utm_medium=mail&pwd=x&a=1&fbclid=y&tk=z"
    )
    assert canonical == "https://meet.example.org/r/board?a=1&b=2"
    assert keys.canonical_url("meet.example.org", "", "") == "https://meet.example.org"


def test_allow_list_entries_are_hosts_with_their_subdomains() -> None:
    allowed = HostAllowList.of([" Meet.Example.org ", "*.video.example.com", ".calls.example.net"])
    assert allowed.hosts == {"meet.example.org", "video.example.com", "calls.example.net"}
    assert allowed.allows("meet.example.org") and allowed.allows("eu.meet.example.org")
    assert allowed.allows("video.example.com") and allowed.allows("a.b.calls.example.net")
    assert not allowed.allows("example.org") and not allowed.allows("othermeet.example.org")
    assert not HostAllowList.of([]).allows("meet.example.org")


def test_links_keep_everything_but_the_case_of_scheme_and_host() -> None:
    link = links.parse("HTTPS://Acme.Zoom.US:443/j/85551234567?PWD=AbC#Frag")
    assert link is not None
    assert link.url == "https://acme.zoom.us:443/j/85551234567?PWD=AbC#Frag"
    assert (link.host, link.path, link.query, link.fragment) == (
        "acme.zoom.us",
        "/j/85551234567",
        "PWD=AbC",
        "Frag",
    )
    assert link.param("pwd") == "AbC"
    assert links.parse("mailto:jane@example.com") is None
    assert links.parse("https://[::1/") is None
