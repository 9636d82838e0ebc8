"""Sanitising: only plain article markup leaves syndicator.

Whatever a source page carries (scripts, trackers, iframes, forms, event
handlers, ``javascript:`` and ``data:`` URLs) is removed by nh3 (the Rust
Ammonia sanitiser) against an allow-list, never by patching a block-list.
"""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span"),
        *("ul", "ol", "li", "dl", "dt", "dd", "blockquote", "q", "cite"),
        *("a", "img", "figure", "figcaption"),
        *("strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr"),
        *("code", "pre", "kbd"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
NOFOLLOW = "nofollow noopener"


def sanitize_html(markup: str, nofollow: bool = True) -> str:
    """Clean HTML for a partner site. Idempotent: ``sanitize_html(sanitize_html(x)) ==
    sanitize_html(x)``."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=NOFOLLOW if nofollow else None,
        strip_comments=True,
    )


def plain_text(html_or_text: str | None) -> str:
    """Text with every tag removed, for fields that must never hold markup
    (titles, authors, teaser excerpts)."""
    if not html_or_text:
        return ""
    cleaned = nh3.clean(html_or_text, tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(cleaned).split())
