"""The ``ingest`` spider: the single writer of a cluster (``syndicator ingest``).

It fetches nothing. Its start() takes batches of messages from the Redis
item list that the workers fill, yields the items into the usual pipelines
(validate, normalise, dedup, neardup, sanitise, render, store) and writes
fetch records into ``fetch_state``. A batch is taken with LMOVE into
``P:items:ingesting`` and let go only once the store has committed it, so an
ingest process killed at any moment loses nothing: the next one puts the
batch back and stores it (the dedup pipeline finds what was already saved).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from syndicator.cluster.queue import loads
from syndicator.cluster.shared import Shared
from syndicator.config import ConfigError
from syndicator.items import ArticleItem
from syndicator.scrapy_settings import apply_config, config_from_settings, store_for

LOCK_SECONDS = 30  # an ingest that stops renewing its lock for this long is gone
TAKE_WAIT = 1.0  # seconds to wait for the first message of a batch


class IngestSpider(Spider):
    name = "ingest"

    def __init__(self, owner: str = "", drain: bool = False, batch: int = 200, **kwargs: Any):
        super().__init__(**kwargs)
        self.owner = owner
        self.drain = drain  # stop once the whole cluster is idle
        self.batch = int(batch)
        self.outstanding = 0
        self.batch_done = asyncio.Event()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = config_from_settings(settings)
        if config.cluster is None:
            raise ConfigError(f"{config.path}: cluster: ingest needs the [cluster] table")
        apply_config(settings, config)
        pipelines = settings.getdict("ITEM_PIPELINES")
        pipelines.pop("pipelines.store.StorePipeline", None)
        pipelines["pipelines.cluster.IngestStorePipeline"] = 600
        settings.set("ITEM_PIPELINES", pipelines, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> IngestSpider:
        spider: IngestSpider = super().from_crawler(crawler, *args, **kwargs)
        config = config_from_settings(crawler.settings)
        assert config.cluster is not None  # update_settings made sure
        spider.shared = Shared(config.cluster)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _item_done(self, **kwargs: Any) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0:
            self.batch_done.set()

    def _closed(self) -> None:
        self.shared.unlock_ingest(self.owner)

    async def start(self) -> AsyncIterator[ArticleItem]:
        store = store_for(self.crawler)
        recovered = await asyncio.to_thread(self.shared.recover_items)
        if recovered:
            self.logger.warning("%d messages of an earlier ingest taken up again", recovered)
        while True:
            if not self.shared.lock_ingest(self.owner, LOCK_SECONDS):
                self.logger.error("another ingest has taken over %s; stopping", self.shared.items)
                return
            batch = await asyncio.to_thread(self.shared.take_items, self.batch, TAKE_WAIT)
            if not batch:
                if self.drain and self.shared.drained():
                    return
                continue
            self.outstanding, self.batch_done = 0, asyncio.Event()
            for raw in batch:
                message = loads(raw)
                if message["type"] == "fetch":
                    store.record_fetch(message["url"], **message["record"])
                else:
                    self.outstanding += 1
                    # fields this version does not know (a newer worker) are left out
                    known = ArticleItem.__dataclass_fields__
                    yield ArticleItem(**{k: v for k, v in message["item"].items() if k in known})
            if self.outstanding > 0:
                await self.batch_done.wait()
            store.flush()
            self.shared.items_done()  # only now: the batch is committed
