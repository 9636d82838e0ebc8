"""Exact duplicates: the same canonical URL, or the same body under another URL."""

from __future__ import annotations

from scrapy.crawler import Crawler

from pipelines import Drop
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
            return item
        twin = self.store.article_with_hash(item.content_hash, other_than=item.id)
        if twin is not None:
            raise Drop(
                "duplicate_content",
                f"same body as article {twin['id']} ({twin['url']}, source {twin['source']})",
            )
        item.state = "new"
        return item
