"""One spelling for URLs, dates, whitespace and tags; the article's id and hash."""

from __future__ import annotations

import re

from syndicator.dates import to_utc_iso
from syndicator.items import ArticleItem
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
        item.language = _clean(item.language) or _clean(hints.get("language"))
        item.tags = _unique([*item.page_tags, *item.tags, *hints.get("tags", [])])
        lines = (" ".join(line.split()) for line in item.body_text.splitlines())
        item.body_text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        item.content_hash = content_hash(item.body_text)
        return item
