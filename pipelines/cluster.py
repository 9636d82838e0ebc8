"""The two ends of the cluster's item list (``syndicator.cluster``).

A worker's only pipeline is :class:`RedisItemsPipeline` (in the manner of
scrapy-redis's ``RedisPipeline``): each extracted item goes to the Redis list,
in the same atomic step that releases the request it came from. The ingest
process runs the usual pipelines on them, ending in
:class:`IngestStorePipeline`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scrapy.crawler import Crawler

from pipelines.store import StorePipeline
from syndicator.cluster.queue import dumps
from syndicator.cluster.shared import Shared
from syndicator.items import ArticleItem


class RedisItemsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.shared: Shared = crawler.syndicator_shared  # type: ignore[attr-defined]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            request_id, messages = self.crawler.spider.release(item)  # type: ignore[union-attr]
            message = dumps({"type": "item", "item": asdict(item)})
            self.shared.ack(request_id, message, *messages)
        return item


class IngestStorePipeline(StorePipeline):
    """The store pipeline; its row in ``runs`` says ``ingest``: one per ingest
    process, with what it stored while it ran."""

    def open_spider(self) -> None:
        super().open_spider()
        with self.store.write() as db:
            db["runs"].update(self.run_id, {"command": "ingest"})
        self.store.flush()
