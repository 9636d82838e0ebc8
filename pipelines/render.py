"""The republished HTML: body, attribution, disclaimer and teasers, from the
publisher's templates."""

from __future__ import annotations

from scrapy.crawler import Crawler

from syndicator.config import Config
from syndicator.items import ArticleItem
from syndicator.sanitize import sanitize_html
from syndicator.scrapy_settings import config_from_settings
from syndicator.templates import Templates


class RenderPipeline:
    def __init__(self, config: Config) -> None:
        self.templates = Templates(config.publisher)
        self.nofollow = config.publisher.nofollow_links
        self.sources = {
            source.name: {"name": source.name, "title": source.display_name}
            for source in config.sources
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderPipeline:
        return cls(config_from_settings(crawler.settings))

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
            "teasers": item.teasers,
        }
        source = self.sources.get(item.source, {"name": item.source, "title": item.source})
        page = self.templates.render(article, source).page
        # the templates are the publisher's, but sanitising the whole page once
        # more means nothing a template or a value smuggles in reaches a partner
        item.republish_html = sanitize_html(page, nofollow=self.nofollow)
        return item
