"""The republished HTML: body, attribution, disclaimer and teasers, from the
publisher's templates.

A teaser shows the excerpt its page showed; when the page showed none and the
related story is in the store, the first words of its body (``story_start``
in the templates); else its title alone."""

from __future__ import annotations

import json
from typing import Any

from scrapy.crawler import Crawler

from syndicator.config import Config
from syndicator.items import ArticleItem
from syndicator.rights import excerpt_html
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
        # what the templates see of a source (docs/templates.md)
        self.sources = {source.name: template_source(source) for source in config.sources}
        # an ``excerpt`` source's copies carry its first words only (syndicator.rights)
        self.excerpt_words = {
            s.name: s.excerpt_words for s in config.sources if s.republish == "excerpt"
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
        article = {name: getattr(item, name) for name in TEMPLATE_FIELDS}
        item.republish_html = self.render(article, item.source)
        return item

    def render_stored(self, article: dict[str, Any]) -> str:
        """The republished HTML of an article as the store holds it (its tags
        as JSON, its teasers in their table): the same as at crawl time."""
        shown = {name: article.get(name) for name in TEMPLATE_FIELDS}
        shown["tags"] = json.loads(article.get("tags") or "[]")
        shown["teasers"] = self.store.teasers(article["id"]) if self.store is not None else []
        return self.render(shown, article["source"])

    def render(self, article: dict[str, Any], source_name: str) -> str:
        shown = {
            **article,
            # the source's own offset: the attribution prints the day it printed
            "published_at": article.get("published_local") or article.get("published_at"),
            "teasers": [self._teaser(t) for t in article.get("teasers") or []],
        }
        shown.pop("published_local", None)
        source = self.sources.get(
            source_name, {"name": source_name, "title": source_name, "licence": None}
        )
        if source_name in self.excerpt_words:
            words = self.excerpt_words[source_name]
            shown["body_html"] = excerpt_html(shown, words, source["title"])
        page = self.templates.render(shown, source).page
        # the templates are the publisher's, but sanitising the whole page once
        # more means nothing a template or a value smuggles in reaches a partner
        return sanitize_html(page, nofollow=self.nofollow)


def template_source(source: Any) -> dict[str, Any]:
    """``source`` in the templates: its name, its title and its licence (or None)."""
    licence = source.licence.model_dump(mode="json") if source.licence else None
    return {"name": source.name, "title": source.display_name, "licence": licence}


# what the templates see of an article (docs/templates.md lists it)
TEMPLATE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "author",
    "published_at",
    "published_local",
    "modified_at",
    "language",
    "image_url",
    "tags",
    "body_html",
    "body_text",
    "teasers",
)
