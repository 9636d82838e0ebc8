"""Downloader middlewares of a cluster worker.

- :class:`SharedPolitenessMiddleware`: each site's delay and concurrency hold
  for all workers together, whatever their number: a token bucket of one
  token per site in Redis (the next start time, refilled every ``delay``)
  and a count of requests in flight with leases, so a dead worker's slots
  free themselves.
- :class:`ArticleCapMiddleware`: ``max_articles_per_run`` counted across all
  workers (in place of :class:`syndicator.middlewares.FetchStateMiddleware`,
  whose state lives in the SQLite store a worker does not have), and the
  pages over it counted as the run's ``postponed``.
- :class:`RequestCountMiddleware`: the run's ``requests``, counted across all
  workers.
- :func:`take_sitemaps`: a source's ``max_sitemaps_per_run`` counted across all
  workers (for the sitemaps that indexes list).

Both counts go to Redis while the request is in flight, so the coordinator
finds them complete once the cluster has drained (see
:meth:`syndicator.cluster.shared.Shared.run_counts`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from syndicator.cluster.shared import Shared
from syndicator.middlewares import Postponed
from syndicator.scrapy_settings import config_from_settings

logger = logging.getLogger(__name__)
LEASE_MARGIN = 30.0  # seconds a request may take beyond its download timeout
RUN_KEY_SECONDS = 7 * 86400  # a run's own keys expire: no coordinator run lasts longer


class SharedPolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.shared: Shared = crawler.syndicator_shared  # type: ignore[attr-defined]
        self.slots: dict[str, dict[str, Any]] = settings.getdict("SYNDICATOR_SHARED_SLOTS")
        self.delay = settings.getfloat("SYNDICATOR_SHARED_DELAY")
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.worker: str = crawler.spider.worker  # type: ignore[union-attr]
        self.tokens = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        slot = self.slots.get(host, {})
        delay = float(slot.get("delay", self.delay))
        concurrency = int(slot.get("concurrency", self.concurrency))
        lease = float(request.meta.get("download_timeout", self.timeout)) + LEASE_MARGIN
        token = f"{self.worker}:{next(self.tokens)}"
        while (wait := self.shared.acquire(host, delay, concurrency, lease, token)) > 0:
            await asyncio.sleep(min(wait, 1.0))
        request.meta["shared_slot"] = (host, token)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        slot = request.meta.pop("shared_slot", None)
        if slot:
            self.shared.release(*slot)


class ArticleCapMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.shared: Shared = crawler.syndicator_shared  # type: ignore[attr-defined]
        config = config_from_settings(crawler.settings)
        self.cap = {s.name: s.max_articles_per_run for s in config.sources}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleCapMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if meta.get("syndicator_kind") != "article" or meta.get("syndicator_admitted"):
            return  # not an article page, or a retry or redirect of one let through
        source = meta.get("source", "")
        count, cap = self.shared.admit(source), self.cap.get(source)
        if cap is not None and count > cap:
            if count == cap + 1:  # one worker sees exactly this count: one line per run
                logger.warning(
                    "%s: more than %d article pages to fetch (its max_articles_per_run); "
                    "the rest wait for the next run",
                    source,
                    cap,
                )
            self.shared.postpone(source)
            raise Postponed(f"over the source's max_articles_per_run ({cap})")
        meta["syndicator_admitted"] = True


class RequestCountMiddleware:
    """Counts each request as it goes out (after its shared slot is taken), as
    Scrapy's ``DownloaderStats`` counts ``downloader/request_count`` for a
    one-process crawl's ``requests``: robots.txt, retries and redirects too."""

    def __init__(self, crawler: Crawler) -> None:
        self.shared: Shared = crawler.syndicator_shared  # type: ignore[attr-defined]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestCountMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        self.shared.count_request(request.meta.get("source", ""))


def take_sitemaps(shared: Shared, source: str, wanted: int, cap: int) -> int:
    """How many of ``wanted`` more sitemaps listed in indexes the source may
    fetch this run, all workers together: ``P:run:<run id>:sitemaps`` counts
    them per source (a hash, like ``P:run:admitted`` for article pages). Keyed
    by the run, so a new run starts from nothing without the coordinator
    clearing it; it expires on its own."""
    key = f"{shared.prefix}:run:{shared.current_run()}:sitemaps"
    total = int(shared.redis.hincrby(key, source, wanted))
    shared.redis.expire(key, RUN_KEY_SECONDS)
    return max(0, min(wanted, cap - (total - wanted)))
