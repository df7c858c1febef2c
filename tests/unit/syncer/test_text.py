"""Short fields, descriptions (plain, HTML, or text that may hold HTML) and the UTF-8 caps."""

from __future__ import annotations

import time

import pytest

from services.syncer.domain.text import DESCRIPTION_LIMIT, HTML_LIMIT, cap_utf8, description, short


def test_cap_utf8_never_splits_a_character() -> None:
    assert cap_utf8("abc", 3) == ("abc", False)
    assert cap_utf8("aé", 2) == ("a", True)
    assert cap_utf8("日本語", 7) == ("日本", True)
    assert cap_utf8("a😀", 4) == ("a", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  \t ", None), (" Standup \n", "Standup"), (3, None)],
)
def test_short_fields_are_trimmed_and_blank_is_none(value: object, expected: str | None) -> None:
    assert short(value) == expected


def test_descriptions_absent_or_blank_are_none() -> None:
    for markup in ("text", "html", "text_or_html"):
        assert description(None, markup) == (None, False)  # type: ignore[arg-type]
        assert description(" \r\n ", markup) == (None, False)  # type: ignore[arg-type]
    assert description("<p>&nbsp;</p>", "html") == (None, False)


def test_line_ends_are_newlines_and_text_is_kept_as_written() -> None:
    assert description("a < b\r\nc > d\r\n\r\n", "text") == ("a < b\nc > d", False)
    assert description("<b>not markup</b>", "text") == ("<b>not markup</b>", False)


def test_text_that_may_hold_html_is_converted_with_its_line_breaks() -> None:
    assert description("plain\nlines <3", "text_or_html") == ("plain\nlines <3", False)
    assert description("Agenda:\n<b>Budget</b><br>Hiring", "text_or_html") == (
        "Agenda:\nBudget\nHiring",
        False,
    )


def test_an_html_document_collapses_its_source_whitespace() -> None:
    assert description("<div>Agenda:\r\n  budget</div>", "html") == ("Agenda: budget", False)


def test_the_cap_applies_to_the_converted_text_on_a_character_boundary() -> None:
    html = "<div>" + "é" * DESCRIPTION_LIMIT + "</div>"
    text, truncated = description(html, "html")
    assert truncated and text is not None
    assert len(text.encode("utf-8")) == DESCRIPTION_LIMIT and set(text) == {"é"}
    exact = "x" * DESCRIPTION_LIMIT
    assert description(f"<p>{exact}</p>", "html") == (exact, False)


def test_html_past_its_limit_is_not_rendered_and_flags_the_description() -> None:
    html = "<p>" + "x" * HTML_LIMIT + "</p><p>never read</p>"
    text, truncated = description(html, "html")
    assert truncated and text == "x" * DESCRIPTION_LIMIT
    assert description("<br>" + " " * HTML_LIMIT + "<p>late</p>", "html") == (None, True)
    small = "<b>x</b>" * 10
    assert description(small, "html") == ("x" * 10, False)


def test_a_10_mb_html_description_costs_little_cpu() -> None:
    """targets.md M8: at most 100 ms of CPU per hostile item, mapping included (bare tags are
    the parser's costliest input; rendering 1 MB of them took 0.6 s)."""
    hostile = "<b>x</b>" * (10 * 1024 * 1024 // 8)
    started = time.thread_time()
    text, truncated = description(hostile, "html")
    assert time.thread_time() - started < 0.1
    assert truncated and text is not None and set(text) == {"x"}
