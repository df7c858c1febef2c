"""The meeting-link corpus: real-shaped candidate fields and the `meeting` block they must give.

Each `corpus/*.yaml` file is a list of cases: `name`, the fields (`conference`: URLs or
`{url, passcode}` mappings; `location`; `description`; `description_html`), optionally `hosts`
(the `other` allow-list), and `expect`: null, or `{url, platform, key}` plus `meeting_id` and
`passcode` when they are not null.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.meeting_links.sources import ConferenceLink, MeetingSources
from shared.contracts.events import Meeting

CORPUS = Path(__file__).parent / "corpus"
_FIELDS = {"name", "conference", "location", "description", "description_html", "hosts", "expect"}
_EXPECTED = {"url", "platform", "meeting_id", "passcode", "key"}


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    sources: MeetingSources
    hosts: HostAllowList
    expect: Meeting | None


@cache
def cases() -> tuple[Case, ...]:
    found = [
        _case(path.stem, raw)
        for path in sorted(CORPUS.glob("*.yaml"))
        for raw in yaml.safe_load(path.read_text())
    ]
    names = [case.name for case in found]
    duplicates = {name for name in names if names.count(name) > 1}
    assert not duplicates, f"duplicate case names: {duplicates}"
    return tuple(found)


def _case(file: str, raw: dict[str, Any]) -> Case:
    assert set(raw) <= _FIELDS and "name" in raw, f"{file}: unexpected fields in {raw}"
    expect = raw.get("expect")
    if expect is not None:
        assert set(expect) <= _EXPECTED and {"url", "platform", "key"} <= set(expect), raw["name"]
        expect = Meeting(**{"meeting_id": None, "passcode": None, **expect})
    return Case(
        name=raw["name"],
        file=file,
        sources=MeetingSources(
            conference=tuple(_conference(item) for item in raw.get("conference", ())),
            location=_text(raw.get("location")),
            description=_text(raw.get("description")),
            description_html=_text(raw.get("description_html")),
        ),
        hosts=HostAllowList.of(raw.get("hosts", ())),
        expect=expect,
    )


def _conference(item: str | dict[str, str]) -> ConferenceLink:
    if isinstance(item, str):
        return ConferenceLink(item)
    return ConferenceLink(item["url"], item.get("passcode"))


def _text(value: Any) -> str | None:
    assert value is None or isinstance(value, str), f"not text: {value!r}"
    return value
