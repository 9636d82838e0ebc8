"""One spelling for URLs, dates, whitespace and tags; the article's id and hash.

Text enters the store here, so here it is made fit for every partner: no
character that XML 1.0 cannot hold (C0 controls but tab and newlines, lone
surrogates, U+FFFE/U+FFFF) survives, in any field, before the body is hashed
(and sanitising, which decodes character references, strips them again);
a date in the future becomes the fetch time, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import re

from syndicator.dates import in_future, to_utc_iso, utc_now
from syndicator.items import ArticleItem
from syndicator.sanitize import xml_safe
from syndicator.store import article_id, content_hash
from syndicator.urls import normalize_url, same_site

_BLANK_LINES = re.compile(r"\n\s*\n+")


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        value = " ".join(str(value).split())
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


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
        item.title = _clean(item.title) or _clean(hints.get("title"))
        item.author = _clean(item.author) or _clean(hints.get("author"))
        item.published_at = (
            to_utc_iso(item.published_at)
            or to_utc_iso(hints.get("published_at"))
            or to_utc_iso(item.date)
        )
        item.modified_at = to_utc_iso(item.modified_at) or to_utc_iso(hints.get("modified_at"))
        _no_future_dates(item)
        item.language = _clean(item.language) or _clean(hints.get("language"))
        item.tags = _unique([*item.page_tags, *item.tags, *hints.get("tags", [])])
        lines = (" ".join(line.split()) for line in item.body_text.splitlines())
        item.body_text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        item.content_hash = content_hash(item.body_text)
        return item


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
            future.append(f"{name} {value} is in the future")
    if future:
        detail = ", ".join(future) + "; stored as the fetch time"
        item.notes.append({"kind": "future_date", "detail": detail})
