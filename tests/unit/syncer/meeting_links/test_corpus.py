"""Every corpus case gives exactly its expected `meeting` block; the corpus covers what it must."""

from __future__ import annotations

import pytest

from services.syncer.domain.meeting_links.detect import find_meeting
from tests.unit.syncer.meeting_links.corpus import Case, cases

PLATFORMS = {
    "zoom", "google_meet", "teams", "webex", "goto", "jitsi", "whereby", "chime", "bluejeans",
    "ringcentral", "other",
}  # fmt: skip


@pytest.mark.parametrize("case", cases(), ids=lambda case: f"{case.file}: {case.name}")
def test_case_gives_its_meeting(case: Case) -> None:
    assert find_meeting(case.sources, case.hosts) == case.expect


def test_corpus_size_and_coverage() -> None:
    corpus = cases()
    assert len(corpus) >= 150
    assert {c.expect.platform for c in corpus if c.expect} == PLATFORMS
    assert sum(c.expect is None for c in corpus) >= 25  # decoys and events without a link
    # Every source holds a link in some case where it is the only source given.
    alone = {_only_source(c) for c in corpus if c.expect}
    assert {"conference", "location", "description", "description_html"} <= alone


def _only_source(case: Case) -> str | None:
    given = {
        "conference": bool(case.sources.conference),
        "location": case.sources.location is not None,
        "description": case.sources.description is not None,
        "description_html": case.sources.description_html is not None,
    }
    names = [name for name, present in given.items() if present]
    return names[0] if len(names) == 1 else None
