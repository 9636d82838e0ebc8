"""scrapy-redis's scheduler, made reliable and bounded.

- :class:`ReliableQueue` replaces scrapy-redis's priority queue: a popped
  request is not gone but *in flight* (``P:processing``) until the worker is
  done with it, so a killed worker's requests go back to the queue (see
  :mod:`syndicator.cluster.shared`). Requests are JSON, not pickle: nothing
  read from Redis can run code.
- :class:`ExpiringDupeFilter` replaces scrapy-redis's fingerprint set with a
  sorted set pruned by age (``[cluster] fingerprint_ttl_hours``).

This module is also the scheduler's serializer (``SCHEDULER_SERIALIZER``):
:func:`dumps` and :func:`loads`.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base

from syndicator.cluster.shared import Shared, fingerprint
from syndicator.middlewares import describe_exception

if TYPE_CHECKING:
    from scrapy import Spider

logger = logging.getLogger(__name__)


def _bytes_to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode()}
    raise TypeError(f"cannot queue a {type(value).__name__}")


def _json_to_bytes(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["__b64__"]) if "__b64__" in value else value


def _str_keys(value: Any) -> Any:
    """A request's headers are a dict with bytes keys (a retried or redirected
    request has some), which JSON cannot have; Scrapy takes them back as str."""
    if isinstance(value, dict):
        return {
            (k.decode("latin-1") if isinstance(k, bytes) else k): _str_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_str_keys(v) for v in value]
    return value


def dumps(obj: Any) -> bytes:
    return json.dumps(_str_keys(obj), default=_bytes_to_json, sort_keys=True).encode()


def loads(data: bytes) -> Any:
    return json.loads(data, object_hook=_json_to_bytes)


def shared_for(spider: Spider) -> Shared:
    """The crawl's one :class:`Shared` (set up by the worker spider)."""
    return spider.crawler.syndicator_shared  # type: ignore[attr-defined,no-any-return]


class ReliableQueue(Base):
    """Priority first (discovery before articles), then first come, first served."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.shared = shared_for(spider)
        self.worker: str = spider.worker  # type: ignore[attr-defined]
        # Downloads finish faster than extraction: without a limit a worker would
        # take requests from the queue while its responses wait for an extraction
        # process, holding work that idle workers could do (and that is fetched
        # again if it dies). It holds what it downloads at once, plus two pages
        # per extraction process.
        cluster = self.shared.cluster
        self.hold_limit = cluster.worker_concurrency + 2 * (
            cluster.extract_processes or os.cpu_count() or 1
        )

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def push(self, request: Request) -> None:
        # a redirect or retry of an in-flight request takes its place in one step
        replaces = request.meta.pop("cluster_id", None)
        try:
            data = self._encode_request(request)
        except (TypeError, ValueError) as exc:
            # left in flight, the request it replaces would hold the run open forever
            logger.error("cannot queue %s: %s", request.url, describe_exception(exc))
            self.shared.ack(replaces)
            return
        self.shared.push(data, score(request.priority), replaces)

    def pop(self, timeout: int = 0) -> Request | None:
        if len(self.shared.held) >= self.hold_limit:
            return None  # the worker's tick starts the engine again within a second
        got = self.shared.pop(self.worker)
        if got is None:
            return None
        request_id, data = got
        try:
            obj = loads(data)
            if "seed" in obj:  # from the coordinator: the spider makes the request
                request = self.spider.request_from_seed(obj)  # type: ignore[attr-defined]
            else:
                request = request_from_dict(obj, spider=self.spider)
        except Exception as exc:
            logger.error("dropping an unreadable queued request: %s", exc)
            self.shared.ack(request_id)
            return None
        request.meta["cluster_id"] = request_id
        return request


def score(priority: int) -> float:
    """Lower pops first: higher priority, then the older request."""
    return time.time() - priority * 1e10


class ExpiringDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter, with fingerprints that expire.

    An article's fingerprint is its URL and the date its feed or sitemap
    gives, so a page listed again with a newer date is fetched again, and an
    unchanged one is not, until its fingerprint is older than the TTL.
    Feeds, sitemaps and sections are fingerprinted per coordinator run.
    """

    PRUNE_EVERY = 60.0  # seconds

    def __init__(self, shared: Shared, key: str, debug: bool = False) -> None:
        super().__init__(shared.redis, key, debug)
        self.shared = shared
        self.pruned_at = 0.0

    @classmethod
    def from_spider(cls, spider: Spider) -> ExpiringDupeFilter:
        return cls(shared_for(spider), shared_for(spider).fingerprints)

    def request_seen(self, request: Request) -> bool:
        if time.monotonic() - self.pruned_at > self.PRUNE_EVERY:
            self.pruned_at = time.monotonic()
            self.shared.prune_fingerprints()
        return self.shared.seen(self.request_fingerprint(request))

    def request_fingerprint(self, request: Request) -> str:
        kind = request.meta.get("syndicator_kind", "")
        if kind == "article":
            return fingerprint(request.url, kind, date=request.meta.get("discovered_at"))
        return fingerprint(request.url, kind, run=self.shared.current_run())

    def forget(self, request: Request) -> None:
        """The request should be tried again next run (a 5xx, postponed): as
        listed, and where it was redirected to."""
        listed = (request.meta.get("redirect_urls") or [request.url])[0]
        for url in {listed, request.url}:
            self.shared.forget(self.request_fingerprint(request.replace(url=url)))

    def close(self, reason: str = "") -> None:
        pass  # shared with the other workers: never cleared by one of them
