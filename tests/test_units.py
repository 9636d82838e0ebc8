"""Small pure functions: URLs, dates, sanitising, templates' filters."""

from __future__ import annotations

import pytest

from syndicator.dates import to_utc_iso
from syndicator.sanitize import plain_text, sanitize_html
from syndicator.templates import first_words
from syndicator.urls import normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.example/x/?utm_source=rss&utm_medium=feed", "http://a.example/x/"),
        ("http://a.example/x/?id=3&fbclid=abc&gclid=def#comments", "http://a.example/x/?id=3"),
        ("HTTP://A.Example:80/x", "http://a.example/x"),
        ("https://a.example:443/", "https://a.example/"),
        ("https://a.example:8443/p?q=a b", "https://a.example:8443/p?q=a+b"),
        ("http://a.example", "http://a.example/"),
        ("http://a.example/p?x=&y=1", "http://a.example/p?x=&y=1"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_normalize_url_resolves_relative_links() -> None:
    assert (
        normalize_url("../b/?utm_campaign=z", base="http://a.example/x/y/")
        == "http://a.example/x/b/"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-18T09:15:00-05:00", "2026-11-18T14:15:00+00:00"),
        ("Wed, 18 Nov 2026 09:15:00 EST", "2026-11-18T14:15:00+00:00"),
        ("Wed, 18 Nov 2026 09:15:00 +0100", "2026-11-18T08:15:00+00:00"),
        ("2026-11-18", "2026-11-18T00:00:00+00:00"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_utc_iso(value: str | None, expected: str | None) -> None:
    assert to_utc_iso(value) == expected


HOSTILE = (
    '<p onclick="steal()">Hello <a href="javascript:alert(1)">x</a>'
    '<a href="JaVaScRiPt:alert(2)">y</a><img src="data:image/png;base64,AAAA" onerror="z()">'
    '<script>alert(3)</script><iframe src="http://evil.example/"></iframe>'
    '<svg><script>alert(4)</script></svg><form action="/x"><input name="q"></form>'
    '<a href="http://ok.example/">ok</a><style>p{}</style></p>'
)


def test_sanitize_removes_executable_content() -> None:
    clean = sanitize_html(HOSTILE)
    lowered = clean.lower()
    for bad in (
        "script",
        "onclick",
        "onerror",
        "javascript:",
        "iframe",
        "<form",
        "<input",
        "data:",
        "<svg",
        "<style",
        "alert",
    ):
        assert bad not in lowered, bad
    assert '<a href="http://ok.example/" rel="nofollow noopener">ok</a>' in clean
    assert sanitize_html(clean) == clean


def test_sanitize_without_nofollow_keeps_links_plain() -> None:
    assert sanitize_html('<a href="http://ok.example/">ok</a>', nofollow=False) == (
        '<a href="http://ok.example/">ok</a>'
    )


def test_plain_text_has_no_markup() -> None:
    assert plain_text("<b>Tom &amp; Jerry</b><script>x()</script>  win") == "Tom & Jerry win"


def test_first_words_cuts_and_drops_the_sources_ellipsis() -> None:
    assert first_words("one two three four five", 3) == "one two three"
    assert first_words("one two three…", 5) == "one two three"
    assert first_words("one two three [...]", 5) == "one two three"
    assert first_words(None, 5) == ""


@pytest.mark.parametrize("reference", ["&#1;", "&#x1F;", "&#xFFFF;", "&#xfffe;", "&#11;"])
def test_one_invisible_character_reference_does_not_cost_the_body(reference: str) -> None:
    """lxml turns ``&#1;`` into U+0001, which trafilatura's XML tree refuses:
    the whole body used to be lost ("no article body found") for it."""
    from syndicator.extraction import extract_page

    story = "".join(
        f"<p>Paragraph {n} about the harbour{reference if n == 3 else ''} and its ferries, "
        "the council and the budget for the new bridge.</p>"
        for n in range(8)
    )
    page = f"<html><head><title>T</title></head><body><article><h1>T</h1>{story}</article>"
    result = extract_page(page + "</body></html>", "http://127.0.0.1/story/")
    assert result.get("problem") is None
    assert "Paragraph 3 about the harbour and its ferries" in result["body_text"]
    assert "Paragraph 7" in result["body_text"]
