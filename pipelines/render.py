"""The republished HTML: body, attribution, disclaimer and teasers, from the
publisher's templates.

A teaser shows the excerpt its page showed; when the page showed none and the
related story is in the store, the first words of its body (``story_start``
in the templates); else its title alone."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from syndicator.config import Config
from syndicator.items import ArticleItem
from syndicator.sanitize import sanitize_html
from syndicator.scrapy_settings import config_from_settings, store_for
from syndicator.store import Store, article_id
from syndicator.templates import Templates
from syndicator.urls import normalize_url


class RenderPipeline:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        self.store = store
        self.templates = Templates(config.publisher)
        self.nofollow = config.publisher.nofollow_links
        self.sources = {
            source.name: {"name": source.name, "title": source.display_name}
            for source in config.sources
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderPipeline:
        return cls(config_from_settings(crawler.settings), store_for(crawler))

    def _teaser(self, teaser: dict[str, Any]) -> dict[str, Any]:
        # the page's tracking parameters stay with the source, not in a partner's copy
        url = normalize_url(teaser["url"])
        shown = {**teaser, "url": url, "story_start": ""}
        if not teaser.get("excerpt") and self.store is not None:
            story = self.store.article(article_id(url), ("body_text",))
            shown["story_start"] = (story or {}).get("body_text") or ""
        return shown

    def process_item(self, item: ArticleItem) -> ArticleItem:
        article = {
            "id": item.id,
            "url": item.url,
            "canonical_url": item.canonical_url,
            "title": item.title,
            "author": item.author,
            "published_at": item.published_at,
            "modified_at": item.modified_at,
            "language": item.language,
            "image_url": item.image_url,
            "tags": item.tags,
            "body_html": item.body_html,
            "body_text": item.body_text,
            "teasers": [self._teaser(t) for t in item.teasers],
        }
        source = self.sources.get(item.source, {"name": item.source, "title": item.source})
        page = self.templates.render(article, source).page
        # the templates are the publisher's, but sanitising the whole page once
        # more means nothing a template or a value smuggles in reaches a partner
        item.republish_html = sanitize_html(page, nofollow=self.nofollow)
        return item
