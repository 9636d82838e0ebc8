"""How the crawl talks to a source's host: never more requests at once than
the host's download slot allows, over connections kept open between requests.

Two fixes to Scrapy components, each a small subclass:

* :class:`SlotDownloader`. Scrapy's downloader starts each download as an
  asyncio task and counts it against the slot's concurrency only once the task
  runs; with no download delay it hands a slot's whole queue to tasks in one go.
  A source set to ``concurrency_per_domain = 16`` had 31 requests in flight.
* :class:`KeepAliveDownloadHandler`. Scrapy's HTTP/1.1 handler keeps at most
  ``CONCURRENT_REQUESTS_PER_DOMAIN`` idle connections per host. That is the
  polite default (2); each source's own concurrency is in ``DOWNLOAD_SLOTS``, so a
  source crawled 16 requests at a time had most connections closed after every
  response and new ones opened (new TLS handshakes) for the next requests: more
  work for the site and the crawl, and on a server with a short accept queue,
  TCP retransmission stalls of 200 ms and more.

Both override internals of Scrapy (a private method, a private attribute);
tests/test_connections.py fails if a Scrapy release stops honouring them.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader import Downloader, Slot
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred


class SlotDownloader(Downloader):
    """Scrapy's downloader, counting a download against its slot when it is
    started rather than when its task first runs."""

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Any]
    ) -> Coroutine[Any, Any, None]:
        # called synchronously in _process_queue's loop, which tests
        # free_transfer_slots() before starting the next one; the download
        # itself adds the request again (a set) and removes it when done
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)


def connections_per_host(settings: BaseSettings) -> int:
    """The most requests any one host may have in flight: the default
    per-domain concurrency or a ``DOWNLOAD_SLOTS`` entry's, whichever is larger."""
    slots = settings.getdict("DOWNLOAD_SLOTS")
    concurrencies = [int(slot.get("concurrency") or 0) for slot in slots.values()]
    return max([settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 1, *concurrencies])


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with a connection pool sized to the slots."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = connections_per_host(crawler.settings)
