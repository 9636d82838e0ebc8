"""Exact duplicates: the same canonical URL (the article again: updated or
unchanged), or the same body under another URL (a duplicate of that story)."""

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
        twin = self.store.article_with_hash(item.content_hash, other_than=item.id)
        if twin is not None:
            item.duplicate_of = twin["duplicate_of"] or twin["id"]
            item.similarity = 1.0
        return item
