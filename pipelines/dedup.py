"""The same canonical URL: an article seen before, now updated or unchanged.

Copies under other URLs (the same body, or nearly) are the next pipeline's job."""

from __future__ import annotations

from scrapy.crawler import Crawler

from syndicator.items import ArticleItem
from syndicator.scrapy_settings import store_for
from syndicator.store import Store


class DedupPipeline:
    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(store_for(crawler))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        stored = self.store.article(item.id)
        if stored is not None:
            item.state = "unchanged" if stored["content_hash"] == item.content_hash else "updated"
            item.duplicate_of, item.similarity = stored["duplicate_of"], stored["similarity"]
            item.revision = stored["revision"] or 1
            return item
        item.state = "new"
        return item
