"""Graph paging links: kept relative to the configured base, never followed elsewhere."""

from __future__ import annotations

import pytest

from services.connector.domain.graph_links import ForeignLink, absolute_link, relative_link

BASE = "https://graph.microsoft.com"
DELTA = "/v1.0/me/calendars/AAMk=/calendarView/delta?$deltatoken=abc"


def test_a_link_on_the_base_is_kept_relative_and_rebased() -> None:
    assert relative_link(BASE + DELTA, BASE + "/") == DELTA
    assert relative_link("HTTPS://Graph.Microsoft.com:443" + DELTA, BASE) == DELTA
    assert absolute_link(DELTA, "https://proxy.internal/graph") == (
        "https://proxy.internal/graph" + DELTA
    )
    sandbox = "http://127.0.0.1:8090/microsoft"
    assert relative_link(sandbox + DELTA, sandbox) == DELTA


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example" + DELTA,
        "http://graph.microsoft.com" + DELTA,  # another scheme
        "https://graph.microsoft.com:8443" + DELTA,
        "https://graph.microsoft.com.evil.example" + DELTA,
        "https://user@graph.microsoft.com" + DELTA,
        "//evil.example" + DELTA,
        DELTA,  # not absolute
    ],
)
def test_a_link_elsewhere_is_refused(link: str) -> None:
    with pytest.raises(ForeignLink):
        relative_link(link, BASE)


@pytest.mark.parametrize(
    "link",
    ["https://proxy.internal/other/v1.0/me", "https://proxy.internal/graph/../admin"],
)
def test_a_link_outside_the_base_path_is_refused(link: str) -> None:
    with pytest.raises(ForeignLink):
        relative_link(link, "https://proxy.internal/graph")


@pytest.mark.parametrize(
    "stored", ["https://evil.example/x", "//evil.example/x", "v1.0/me", "/../x"]
)
def test_a_stored_cursor_must_be_a_relative_link(stored: str) -> None:
    with pytest.raises(ForeignLink):
        absolute_link(stored, BASE)
