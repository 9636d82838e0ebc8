"""The ``sources-worker`` spider: the ``sources`` spider as one of many
workers sharing a Redis queue (``syndicator crawl --worker``).

It parses and extracts exactly as ``sources`` does; what changes is where
requests and items go. Requests come from the shared queue (scrapy-redis's
scheduler with :mod:`syndicator.cluster.queue`), seeded by the coordinator;
items and fetch records go to a Redis list for ``syndicator ingest``. The
worker has no SQLite store: everything it knows is in Redis.

Each request stays *in flight* in Redis until this worker is done with it:
the requests its callback found are queued, and its item is pushed, in the
same atomic step that releases it (see :meth:`WorkerSpider._settle` and
:class:`pipelines.cluster.RedisItemsPipeline`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, ScrapyDeprecationWarning
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncgen import as_async_generator
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from spiders.discovery import Found, by_need
from spiders.sources import SourcesSpider
from syndicator import signals as our_signals
from syndicator.cluster.connection import REDIS_PARAMS, recoveries, redis_url
from syndicator.cluster.middlewares import take_sitemaps
from syndicator.cluster.queue import ExpiringDupeFilter, dumps
from syndicator.cluster.shared import Keys, Shared, worker_name
from syndicator.config import ConfigError
from syndicator.dates import utc_now
from syndicator.extraction_pool import FAILED as EXTRACTION_FAILED
from syndicator.items import ArticleItem
from syndicator.middlewares import DISCOVERY, Postponed, describe_exception, listing_incomplete
from syndicator.scrapy_settings import config_from_settings

# scrapy-redis 0.9 still calls Scrapy APIs deprecated in 2.13; a warning on every
# worker start would only teach operators to ignore warnings
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "SCHEDULER_QUEUE_CLASS": "syndicator.cluster.queue.ReliableQueue",
    "SCHEDULER_SERIALIZER": "syndicator.cluster.queue",
    "DUPEFILTER_CLASS": "syndicator.cluster.queue.ExpiringDupeFilter",
    "SCHEDULER_PERSIST": True,  # the queue is the cluster's, not this worker's
    "ITEM_PIPELINES": {"pipelines.cluster.RedisItemsPipeline": 100},
}


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class WorkerSpider(SourcesSpider):
    name = "sources-worker"

    def __init__(self, max_idle: float | str = 0, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # stop after this many seconds with nothing to do (0: run until stopped)
        self.max_idle = float(max_idle)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = config_from_settings(settings)
        cluster = config.cluster
        if cluster is None:
            raise ConfigError(f"{config.path}: cluster: a worker needs the [cluster] table")
        keys = Keys(cluster.key_prefix)
        url, password = redis_url(cluster)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        middlewares.update(
            {
                # fetch state lives in the store, which is ingest's: workers count the
                # per-run article cap in Redis and leave "known page" to the fingerprints
                "syndicator.middlewares.FetchStateMiddleware": None,
                "syndicator.cluster.middlewares.ArticleCapMiddleware": 50,
                # last before the download, so only requests that go out take a slot
                "syndicator.cluster.middlewares.SharedPolitenessMiddleware": 960,
                # and are counted, as the run's requests
                "syndicator.cluster.middlewares.RequestCountMiddleware": 970,
            }
        )
        # the same for the spider-side filter of known pages: it reads the store
        spider_middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        spider_middlewares["syndicator.middlewares.UnchangedPagesFilter"] = None
        slots = settings.getdict("DOWNLOAD_SLOTS")
        values = {
            **SETTINGS,
            "REDIS_URL": url,
            "REDIS_PARAMS": {**REDIS_PARAMS, **({"password": password} if password else {})},
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.fingerprints,
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "SPIDER_MIDDLEWARES": spider_middlewares,
            "CONCURRENT_REQUESTS": cluster.worker_concurrency,
            "SYNDICATOR_WORKERS": cluster.extract_processes,
            # the shared token bucket spaces requests to a site for all workers;
            # a local delay on top would only hold a token while waiting
            "SYNDICATOR_SHARED_DELAY": settings.getfloat("DOWNLOAD_DELAY"),
            "SYNDICATOR_SHARED_SLOTS": slots,
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_SLOTS": {host: {**slot, "delay": 0} for host, slot in slots.items()},
        }
        for key, value in values.items():
            settings.set(key, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider: WorkerSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        config = config_from_settings(crawler.settings)
        assert config.cluster is not None  # update_settings made sure
        # every source, enabled or not: the coordinator decides what is crawled
        spider.sources = {s.name: s for s in config.sources}
        spider.politeness = {s.name: s.politeness(config.crawl) for s in config.sources}
        spider.worker = worker_name()
        spider.shared = crawler.syndicator_shared = Shared(config.cluster)  # type: ignore[attr-defined]
        spider.dupefilter = ExpiringDupeFilter(spider.shared, spider.shared.fingerprints)
        spider.problems = {}  # url -> a parse problem, reported with the fetch record
        spider.incomplete = set()  # listings cut short by a limit: their validators not kept
        spider.awaiting = {}  # request id -> [items not pushed yet, messages to send last]
        spider.ack_after = {}  # id(item) -> request id
        spider.last_busy = time.monotonic()
        spider.recoveries = recoveries()  # Redis outages this process has seen end
        spider.ticker = None
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._problem_seen, signal=our_signals.fetch_problem)
        crawler.signals.connect(spider._listing_incomplete, signal=listing_incomplete)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        return  # the coordinator seeds the queue
        yield  # pragma: no cover

    # -- life in the cluster ---------------------------------------------------

    def _opened(self) -> None:
        self.shared.heartbeat(self.worker)
        self.ticker = LoopingCall(self._tick)  # not before: it would install a reactor
        self.ticker.start(min(1.0, self.shared.cluster.worker_timeout / 3))
        self.logger.info("worker %s pulling from %s", self.worker, self.shared.requests)

    def _tick(self) -> None:
        self.shared.heartbeat(self.worker)
        if self.shared.requeue_orphans():
            self.logger.warning("requeued the requests of a worker that stopped answering")
        if recoveries() != self.recoveries:  # Redis was away: a pop may have lost its answer
            self.recoveries = recoveries()
            if self.shared.requeue_unheld(self.worker):
                self.logger.warning("requeued requests Redis handed out while it went away")
        if len(self.crawler.engine.downloader.active) or self.shared.backlog()["queued"]:
            self.last_busy = time.monotonic()
            # the engine looks at an idle scheduler only every 5 s; new work starts now
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def _idle(self) -> None:
        if not self.max_idle or time.monotonic() - self.last_busy < self.max_idle:
            raise DontCloseSpider

    def _closed(self) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        # what this worker still holds goes back to the queue now, not after its timeout
        self.shared.leave(self.worker)

    def _problem_seen(self, url: str, source: str, error: str) -> None:
        self.problems[url] = error

    def _listing_incomplete(self, url: str) -> None:
        self.incomplete.add(url)

    # -- sitemap limits: counted in Redis, recorded with the fetch record ------

    def _requested(self, source: Any, found: Found) -> bool:
        return False  # the shared duplicate filter knows what this run requested

    def _take_sitemaps(self, source: Any, listed: list[Found]) -> list[Found]:
        """As the sources spider's, counted across all workers (the sitemaps
        the coordinator seeds are not counted); the newest listed first."""
        allowed = take_sitemaps(self.shared, source.name, len(listed), source.max_sitemaps_per_run)
        return listed if allowed == len(listed) else by_need(listed, {})[:allowed]

    def learned_places(self, source: Any) -> dict[str, list[str]]:
        """No store here: the coordinator's copy of what the store learned,
        as the run started (this run's pages teach the next run)."""
        return self.shared.learned_teaser_places(source.name)

    def learned_boilerplate(self, source: Any) -> dict[str, list[str]]:
        """No store here, and boilerplate is not learned in a cluster yet: a
        worker cuts only the built-in furniture."""
        return {}

    def _record_drop(self, url: str, source: str, reason: str, detail: str) -> None:
        # no store here: it goes with the document's fetch record, as fetch_state.error
        earlier = self.problems.get(url)
        self.problems[url] = f"{earlier}; {detail}" if earlier else detail

    def _dropped(self, request: Request) -> None:
        """A redirect or retry the duplicate filter refused (it led to a page
        already seen): the request it came from is done."""
        if request.meta.get("cluster_id"):
            self.shared.ack(request.meta["cluster_id"])

    # -- requests from the coordinator -----------------------------------------

    def request_from_seed(self, seed: dict[str, Any]) -> Request:
        """A request from the coordinator's seed: a feed, sitemap or section, or
        a stored article due for a recheck, with the validators it had."""
        source = self.sources.get(seed["source"])
        if source is None:
            raise ValueError(
                f"source {seed['source']!r} is not in this worker's config; "
                "restart the workers after changing the config"
            )
        if seed["seed"] == "recheck":
            request = super()._article(Found(seed["url"]), source, via="recheck", refetch=True)
        else:
            request = self._discovery(seed["url"], source, seed["seed"], depth=seed.get("depth", 1))
        for header, key in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified")):
            if seed.get(key):
                request.headers[header] = seed[key]
        return request

    def _discovery(self, url: str, source: Any, kind: str, **extra: Any) -> Request:
        # through the shared duplicate filter: a sitemap both seeded and listed
        # in its index is fetched once per run
        return super()._discovery(url, source, kind, **extra).replace(dont_filter=False)

    def _article(self, found: Found, source: Any, via: str, refetch: bool = False) -> Request:
        request = super()._article(found, source, via, refetch)
        return request if refetch else request.replace(dont_filter=False)

    # -- callbacks: the sources spider's, settled ------------------------------

    def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        return self._settle(response.request, super().parse_feed(response), response=response)

    def parse_sitemap(self, response: Response) -> AsyncIterator[Any]:
        return self._settle(response.request, super().parse_sitemap(response), response=response)

    def parse_section(self, response: Response) -> AsyncIterator[Any]:
        return self._settle(response.request, super().parse_section(response), response=response)

    def parse_article(self, response: Response) -> AsyncIterator[Any]:
        return self._settle(response.request, super().parse_article(response), response=response)

    def discovery_failed(self, failure: Failure) -> AsyncIterator[Any]:
        super().discovery_failed(failure)
        return self._settle(failure.request, None, failure=failure)

    def article_failed(self, failure: Failure) -> AsyncIterator[Any]:
        return self._settle(failure.request, super().article_failed(failure), failure=failure)

    async def _settle(
        self,
        request: Request,
        outputs: Iterable[Any] | AsyncIterator[Any] | None,
        response: Response | None = None,
        failure: Failure | None = None,
    ) -> AsyncIterator[Any]:
        """Run a callback to its end, queue the requests it found (in Redis at
        once, so none is lost with this worker), then let the items go on to
        the pipeline, which releases the request with the last of them."""
        request_id = request.meta.get("cluster_id")
        self.last_busy = time.monotonic()
        items: list[Any] = []
        try:
            async for output in as_async_generator(outputs or ()):
                if isinstance(output, Request):
                    self.crawler.engine.crawl(output)  # the scheduler pushes it to Redis now
                else:
                    items.append(output)
        except Exception:
            self.shared.ack(request_id)  # the same page would fail the same way anywhere
            raise
        if self._try_next_run(items, failure):
            self.dupefilter.forget(request)
        record = self._fetch_record(request, response, failure)
        messages = [dumps(record)] if record else []
        if not items:
            self.shared.ack(request_id, *messages)
            return
        self.awaiting[request_id] = [len(items), messages]
        for item in items:
            self.ack_after[id(item)] = request_id
            yield item

    def release(self, item: Any) -> tuple[str | None, list[bytes]]:
        """For the pipeline: the request to release with this item (when it
        is the request's last) and the messages that go with it."""
        request_id = self.ack_after.pop(id(item), None)
        entry = self.awaiting.get(request_id) if request_id else None
        if entry is None:
            return None, []
        entry[0] -= 1
        if entry[0]:
            return None, []
        del self.awaiting[request_id]
        return request_id, entry[1]

    @staticmethod
    def _try_next_run(items: list[Any], failure: Failure | None) -> bool:
        """Whether the page should be fetched again next run although it was
        seen: it was postponed, or failed in a way that may pass (5xx, network,
        an extraction process that died on it)."""
        if failure is not None and failure.check(Postponed):
            return True
        return any(
            isinstance(item, ArticleItem)
            and item.fetch_error
            and (
                item.fetch_reason == EXTRACTION_FAILED
                or (item.fetch_reason == "fetch_failed" and (item.status or 500) >= 500)
            )
            for item in items
        )

    def _fetch_record(
        self, request: Request, response: Response | None, failure: Failure | None
    ) -> dict[str, Any] | None:
        """What a feed, sitemap or section answered (ingest writes it into
        ``fetch_state``), or that a rechecked article answered 304."""
        kind = request.meta.get("syndicator_kind")
        now = utc_now()
        if kind == "article":
            if response is not None and response.status == 304:
                return {"type": "fetch", "url": request.url, "record": {"fetched_at": now}}
            return None
        if kind not in DISCOVERY:
            return None
        record: dict[str, Any] = {"source": request.meta.get("source"), "kind": kind}
        record["fetched_at"] = now
        if response is None and failure is not None and failure.check(HttpError):
            response = failure.value.response
        if response is not None:
            record["status"] = response.status
            if response.status != 304:
                record["error"] = None if response.status < 400 else f"HTTP {response.status}"
                record["etag"] = _header(response, b"ETag")
                record["last_modified"] = _header(response, b"Last-Modified")
        elif failure is not None and not failure.check(IgnoreRequest):
            record.update(status=None, error=describe_exception(failure.value, request))
        problem = self.problems.pop(request.url, None)
        if problem:
            record["error"] = problem
        if request.url in self.incomplete:  # read in full next run: no 304
            self.incomplete.discard(request.url)
            record["etag"] = record["last_modified"] = None
        return {"type": "fetch", "url": request.url, "record": record}
