"""HTML-to-text conversion and the UTF-8 size caps."""

from __future__ import annotations

from services.syncer.domain.text import cap_utf8, html_to_text, looks_like_html, plain_description


def test_html_detection() -> None:
    assert looks_like_html("<b>bold</b>")
    assert looks_like_html("line<br>break")
    assert not looks_like_html("a < b and b > c? no: 1<2")
    assert not looks_like_html("mail me at <someone@example.com")


def test_html_to_text_keeps_breaks_and_unescapes() -> None:
    html = "<div>One</div><div>Two &lt;3&gt;</div><p>Para</p><p>Next &#8364;5</p><style>p{}</style>"
    assert html_to_text(html) == "One\nTwo <3>\nPara\n\nNext €5"


def test_cap_utf8_never_splits_a_character() -> None:
    assert cap_utf8("abc", 3) == ("abc", False)
    assert cap_utf8("aé", 2) == ("a", True)
    assert cap_utf8("日本語", 7) == ("日本", True)


def test_plain_description_none() -> None:
    assert plain_description(None) == (None, False)
