"""Downloader middlewares: fetch state (conditional GET, skipping known pages)
and the network guard."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from syndicator import signals as our_signals
from syndicator.dates import utc_now
from syndicator.netguard import IPNetwork, NetworkRefusedError, check_url
from syndicator.scrapy_settings import config_from_settings, store_for

DISCOVERY = ("feed", "sitemap", "section")
logger = logging.getLogger(__name__)


class AlreadyFetched(IgnoreRequest):
    """The page is stored and the source says nothing changed since."""


class Postponed(IgnoreRequest):
    """The source has had its ``max_articles_per_run`` this run; next run, then."""


class NetworkRefused(IgnoreRequest):
    """The URL's host is a non-public address the source did not allow."""


def describe_exception(exc: BaseException, request: Request | None = None) -> str:
    """One line for a failure: the exception's type and message.

    Scrapy cancels a download without a message when a body that announced no
    size (chunked) grows past ``download_maxsize``, the one cancellation with
    none; the line says so, as it does for a body announced too large."""
    text = " ".join(str(exc).split())
    if not text and isinstance(exc, DownloadCancelledError) and request is not None:
        limit = request.meta.get("download_maxsize")
        if limit:
            text = f"the response grew larger than max_response_bytes ({limit:,} bytes)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unchanged_since(request: Request, state: dict[str, Any] | None) -> str | None:
    """Why an article page need not be fetched: it was fetched before and its
    feed or sitemap lists no newer date for it. None when it must be fetched."""
    meta = request.meta
    if state is None or meta.get("syndicator_kind") != "article" or meta.get("refetch"):
        return None
    status, fetched_at = state.get("status"), state.get("fetched_at") or ""
    newer = meta.get("discovered_at")
    if status and status < 500 and (not newer or newer <= fetched_at):
        return f"fetched {fetched_at}, not changed since"
    return None


class UnchangedPagesFilter:
    """Spider middleware: leaves out requests for article pages that need no
    fetch (see :func:`unchanged_since`) as the spider yields them, so the
    thousands of known URLs a sitemap lists on every run never reach the
    scheduler. :class:`FetchStateMiddleware` applies the same rule to whatever
    still gets through."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = store_for(crawler)
        self.skipped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnchangedPagesFilter:
        return cls(crawler)

    def _wanted(self, result: Any) -> bool:
        if not isinstance(result, Request) or result.meta.get("syndicator_kind") != "article":
            return True
        if not unchanged_since(result, self.store.fetch_state(result.url)):
            if not result.meta.get("refetch"):  # a refetch still wants its validators
                result.meta["syndicator_checked"] = True  # the downloader need not look again
            return True
        if result.url not in self.skipped:
            self.skipped.add(result.url)
            self.crawler.stats.inc_value("syndicator/unchanged")
        return False

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        return (r for r in result if self._wanted(r))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for r in result:
            if self._wanted(r):
                yield r


class FetchStateMiddleware:
    """Remembers what every feed, sitemap and page answered.

    Feeds, sitemaps and section pages get conditional GET (If-None-Match /
    If-Modified-Since). Their validators are saved only when the crawl
    finishes, so a crawl that dies half way rereads them next time and loses
    none of their entries. An article page already fetched is skipped unless
    its feed or sitemap date is newer than the last fetch.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = store_for(crawler)
        self.pending: dict[str, dict[str, Any]] = {}
        # URLs let through this run; the spider's requests bypass Scrapy's duplicate
        # filter so that a later, newer-dated discovery of an article that was
        # skipped as unchanged still gets through here
        self.fetching: set[str] = set()
        self.skipped: set[str] = set()
        config = config_from_settings(crawler.settings)
        self.article_cap = {s.name: s.max_articles_per_run for s in config.sources}
        self.admitted: dict[str, int] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.fetch_problem, signal=our_signals.fetch_problem)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchStateMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        kind = request.meta.get("syndicator_kind")
        if kind is None or request.meta.get("syndicator_admitted"):
            return  # not ours, or a retry or redirect of a request already let through
        if request.url in self.fetching:
            raise AlreadyFetched("already being fetched in this run")
        if request.meta.get("syndicator_checked"):
            self._admit(request)  # UnchangedPagesFilter looked its fetch state up already
            return
        state = self.store.fetch_state(request.url)
        if state is None:
            self._admit(request)
            return
        if kind in DISCOVERY or request.meta.get("refetch"):
            if state.get("etag"):
                request.headers.setdefault("If-None-Match", state["etag"])
            if state.get("last_modified"):
                request.headers.setdefault("If-Modified-Since", state["last_modified"])
        else:
            unchanged = unchanged_since(request, state)
            if unchanged:
                if request.url not in self.skipped:  # feed and sitemap may both list it
                    self.skipped.add(request.url)
                    self.crawler.stats.inc_value("syndicator/unchanged")
                raise AlreadyFetched(unchanged)
        self._admit(request)

    def _admit(self, request: Request) -> None:
        source = request.meta.get("source", "")
        if request.meta.get("syndicator_kind") == "article":
            count = self.admitted[source] = self.admitted.get(source, 0) + 1
            cap = self.article_cap.get(source)
            if cap is not None and count > cap:
                self.crawler.stats.inc_value(f"syndicator/postponed/{source}")
                if count == cap + 1:
                    logger.warning(
                        "%s: more than %d article pages to fetch (its "
                        "max_articles_per_run); the rest wait for the next run",
                        source,
                        cap,
                    )
                raise Postponed(f"over the source's max_articles_per_run ({cap})")
        request.meta["syndicator_admitted"] = True
        self.fetching.add(request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        self._count(request, ok=response.status < 400)
        if request.meta.get("refetch") and response.status == 304:
            self.store.record_fetch(request.url, fetched_at=utc_now())
        if request.meta.get("syndicator_kind") in DISCOVERY:
            record: dict[str, Any] = {"status": response.status, "fetched_at": utc_now()}
            if response.status != 304:
                record["error"] = None if response.status < 400 else f"HTTP {response.status}"
                record["etag"] = _header(response, "ETag")
                record["last_modified"] = _header(response, "Last-Modified")
            self._remember(request, record)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, IgnoreRequest):
            return
        self._count(request, ok=False)
        if request.meta.get("syndicator_kind") in DISCOVERY:
            record = {
                "status": None,
                "fetched_at": utc_now(),
                "error": describe_exception(exception, request),
            }
            self._remember(request, record)

    def fetch_problem(self, url: str, source: str, error: str) -> None:
        record = self.pending.setdefault(url, {"source": source})
        record["error"] = error

    def _remember(self, request: Request, record: dict[str, Any]) -> None:
        record["source"] = request.meta.get("source")
        record["kind"] = request.meta.get("syndicator_kind")
        self.pending.setdefault(request.url, {}).update(record)

    def _count(self, request: Request, ok: bool) -> None:
        source = request.meta.get("source")
        if source:
            outcome = "ok" if ok else "failed"
            self.crawler.stats.inc_value(f"syndicator/source/{source}/{outcome}")

    def spider_closed(self, reason: str) -> None:
        for url, record in self.pending.items():
            if reason != "finished":
                record.pop("etag", None)
                record.pop("last_modified", None)
            self.store.record_fetch(url, **record)
        self.pending.clear()
        self.store.flush()


ANSWERED_STATUS = "syndicator_answered_status"


class AnsweredStatusMiddleware:
    """Notes on each request the status its response came with, before the
    redirect and decompression middlewares act on it.

    A fetch can fail after the site answered: a redirect loop, a redirect to a
    ``javascript:`` URL, a decompression bomb. The spider then records that
    status with the error, so the page counts as answered (like a 404) and is
    not fetched again each run until its feed or sitemap lists a newer date;
    a failure with no answer at all (a timeout, a refused connection) is
    still retried next run."""

    def process_request(self, request: Request) -> None:
        # a redirected or retried copy carries the meta of the request before it
        request.meta.pop(ANSWERED_STATUS, None)

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[ANSWERED_STATUS] = response.status
        return response


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class NetworkGuardMiddleware:
    """Refuses requests to non-public addresses the source did not allow
    (see :mod:`syndicator.netguard`); redirects come back through here too."""

    def __init__(self, allowed: dict[str, list[IPNetwork]]) -> None:
        self.allowed = allowed
        self.any_allowed = [net for nets in allowed.values() for net in nets]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        config = config_from_settings(crawler.settings)
        return cls({source.name: list(source.allow_networks) for source in config.sources})

    async def process_request(self, request: Request) -> None:
        source = request.meta.get("source")
        allowed = self.allowed.get(source, []) if source else self.any_allowed
        try:
            await check_url(request.url, allowed, "list its network in the source's allow_networks")
        except NetworkRefusedError as exc:
            raise NetworkRefused(str(exc)) from None
