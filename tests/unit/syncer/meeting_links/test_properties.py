"""Properties over the corpus links: however a link is wrapped, written or placed, the detected
meeting keeps its platform and key."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from services.syncer.domain.meeting_links.detect import find_meeting
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from tests.unit.syncer.meeting_links import wrappers
from tests.unit.syncer.meeting_links.corpus import cases

# Each corpus meeting as (link, allow-list, platform, key).
LINKS = sorted(
    {(c.expect.url, c.hosts, c.expect.platform, c.expect.key) for c in cases() if c.expect},
    key=lambda link: link[0],
)
REDIRECTORS: list[Callable[[str], str]] = [
    wrappers.safelinks,
    lambda url: wrappers.safelinks(url, "eur01"),
    wrappers.google_redirect,
    wrappers.proofpoint_v2,
    wrappers.proofpoint_v3,
]
TRAILING = [".", ",", ";", ":", "!", "?", ")", "]", "'", '"', "*", "..."]
PROSE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ\n", max_size=60)
PROPERTY = settings(max_examples=400, deadline=None, database=None)


def meeting_in(field: str, text: str, hosts: HostAllowList) -> tuple[str, str] | None:
    sources = (
        MeetingSources(conference=(ConferenceLink(text),))
        if field == "conference"
        else MeetingSources(**{field: text})
    )
    meeting = find_meeting(sources, hosts)
    return None if meeting is None else (meeting.platform, meeting.key)


@PROPERTY
@given(
    link=st.sampled_from(LINKS),
    layers=st.lists(st.sampled_from(REDIRECTORS), max_size=3),
    angle=st.booleans(),
    trailing=st.sampled_from(["", *TRAILING]),
    before=PROSE,
    after=PROSE,
    field=st.sampled_from(["location", "description", "description_html"]),
)
def test_wrapping_changes_neither_platform_nor_key(
    link: tuple[str, HostAllowList, str, str],
    layers: list[Callable[[str], str]],
    angle: bool,
    trailing: str,
    before: str,
    after: str,
    field: str,
) -> None:
    url, hosts, platform, key = link
    for wrap in layers:
        url = wrap(url)
    written = (wrappers.angle_brackets(url) if angle else url) + trailing
    assert meeting_in(field, f"{before} {written} {after}", hosts) == (platform, key)


@PROPERTY
@given(
    link=st.sampled_from(LINKS),
    layers=st.lists(st.sampled_from(REDIRECTORS), max_size=2),
)
def test_an_html_anchor_changes_neither_platform_nor_key(
    link: tuple[str, HostAllowList, str, str], layers: list[Callable[[str], str]]
) -> None:
    url, hosts, platform, key = link
    for wrap in layers:
        url = wrap(url)
    body = f"<html><body><p>Agenda</p><p>{wrappers.html_anchor(url)}</p></body></html>"
    assert meeting_in("description_html", body, hosts) == (platform, key)


@PROPERTY
@given(link=st.sampled_from(LINKS), field=st.sampled_from(["conference", "location"]))
def test_the_case_of_scheme_and_host_does_not_matter(
    link: tuple[str, HostAllowList, str, str], field: str
) -> None:
    url, hosts, platform, key = link
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    shouted = f"{scheme.upper()}://{host.upper()}{slash}{path}"
    assert meeting_in(field, shouted, hosts) == (platform, key)


@PROPERTY
@given(link=st.sampled_from(LINKS))
def test_the_reported_url_finds_the_same_meeting_again(
    link: tuple[str, HostAllowList, str, str],
) -> None:
    url, hosts, platform, key = link
    first = find_meeting(MeetingSources(location=url), hosts)
    assert first is not None and (first.platform, first.key) == (platform, key)
    assert find_meeting(MeetingSources(location=first.url), hosts) == first
