"""One spelling for URLs, dates, whitespace, titles, authors and tags; the
article's id and hash.

Text enters the store here, so here it is made fit for every partner: no
character that XML 1.0 cannot hold (C0 controls but tab and newlines, lone
surrogates, U+FFFE/U+FFFF) survives, in any field, before the body is hashed
(and sanitising, which decodes character references, strips them again);
a date in the future becomes the fetch time, with a note saying so. Titles
lose the site's name, authors their "By" and role, and tags are split into
terms a partner can take (:mod:`syndicator.metadata`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlsplit

from syndicator.dates import in_future, to_utc_iso, utc_now
from syndicator.items import ArticleItem
from syndicator.metadata import clean_author, clean_tags, clean_title, site_names
from syndicator.sanitize import xml_safe
from syndicator.store import article_id, content_hash
from syndicator.urls import normalize_url, same_site

_BLANK_LINES = re.compile(r"\n\s*\n+")


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


class NormalisePipeline:
    def process_item(self, item: ArticleItem) -> ArticleItem:
        for field in dataclasses.fields(item):
            setattr(item, field.name, xml_safe(getattr(item, field.name)))
        hints = item.hints
        item.url = normalize_url(item.url)
        # a canonical link is trusted only within the page's own site; a page
        # cannot claim another site's article (and its id) by pointing there
        canonical = item.canonical_url
        if canonical and same_site(canonical, item.url):
            item.canonical_url = normalize_url(canonical, base=item.url)
        else:
            item.canonical_url = item.url
        item.id = article_id(item.canonical_url)
        names = site_names(item.sitename, urlsplit(item.canonical_url).hostname)
        item.title = clean_title(_clean(item.title) or _clean(hints.get("title")), names)
        item.author = clean_author(_clean(item.author) or _clean(hints.get("author")))
        _published(item, hints)
        item.modified_at = to_utc_iso(item.modified_at) or to_utc_iso(hints.get("modified_at"))
        _no_future_dates(item)
        item.language = _clean(item.language) or _clean(hints.get("language"))
        item.tags = clean_tags([*item.page_tags, *item.tags, *hints.get("tags", [])])
        lines = (" ".join(line.split()) for line in item.body_text.splitlines())
        item.body_text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        item.content_hash = content_hash(item.body_text)
        return item


def _published(item: ArticleItem, hints: dict[str, Any]) -> None:
    """The publication time in UTC, from the page, else its feed or sitemap
    entry, else trafilatura's guess; and, from the same place, the time as the
    source printed it, so that an attribution prints the source's day."""
    for value, local in (
        (item.published_at, item.published_local),
        (hints.get("published_at"), hints.get("published_local")),
        (item.date, None),
    ):
        utc = to_utc_iso(value)
        if utc:
            item.published_at = utc
            item.published_local = local if local and to_utc_iso(local) == utc else None
            return
    item.published_at = item.published_local = None


def _no_future_dates(item: ArticleItem) -> None:
    """A date after now (and the clock skew allowed) would have WordPress
    schedule the post, and keep the article at the top of an Atom feed for
    years: it becomes the fetch time, which is when we know the article was out."""
    fetched = utc_now()
    future = []
    for name in ("published_at", "modified_at"):
        value = getattr(item, name)
        if in_future(value, fetched):
            setattr(item, name, fetched)
            if name == "published_at":
                item.published_local = None
            future.append(f"{name} {value} is in the future")
    if future:
        detail = ", ".join(future) + "; stored as the fetch time"
        item.notes.append({"kind": "future_date", "detail": detail})
