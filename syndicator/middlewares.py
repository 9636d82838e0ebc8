"""Downloader middlewares: fetch state (conditional GET, skipping known pages),
the network guard and the URL length limit."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from syndicator import signals as our_signals
from syndicator.dates import utc_now
from syndicator.netguard import IPNetwork, NetworkRefusedError, check_url
from syndicator.resolver import ALLOW_HINT, HostAllowances, host_allowances
from syndicator.scrapy_settings import config_from_settings, store_for

DISCOVERY = ("feed", "sitemap", "section")
logger = logging.getLogger(__name__)

# A signal (``url``): the spider did not follow everything this feed, sitemap or
# section page listed (a limit left some for the next run). Its validators are
# not kept, so the next run reads it in full instead of getting 304 and
# forgetting what was left.
listing_incomplete = object()


class AlreadyFetched(IgnoreRequest):
    """The page is stored and the source says nothing changed since."""


class Postponed(IgnoreRequest):
    """The source has had its ``max_articles_per_run`` this run; next run, then."""


class Refused(IgnoreRequest):
    """A request syndicator will not send; ``reason`` is the drop reason of an
    article page refused this way, ``str()`` the one-line detail."""

    reason = "refused"


class NetworkRefused(Refused):
    """The URL's host is a non-public address the source did not allow."""

    reason = "network_refused"


class UrlTooLong(Refused):
    """The URL is longer than ``URLLENGTH_LIMIT``."""

    reason = "url_too_long"


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


def count_skipped(
    crawler: Crawler, skipped: set[str], url: str, state: dict[str, Any] | None, started: str
) -> None:
    """Count an article page skipped as unchanged, once (feed and sitemap may
    both list it); a page this very run fetched already is no unchanged page
    (the first crawl into an empty store reported its feed's pages, listed
    again by the sitemap, as unchanged)."""
    if url in skipped:
        return
    skipped.add(url)
    if ((state or {}).get("fetched_at") or "") < started:
        crawler.stats.inc_value("syndicator/unchanged")


def postpone(crawler: Crawler, request: Request, cap: int, count: int) -> Postponed:
    """An article page over its source's ``max_articles_per_run``: counted as
    postponed, its listing read in full next run, one warning a run."""
    source = request.meta.get("source", "")
    crawler.stats.inc_value(f"syndicator/postponed/{source}")
    crawler.signals.send_catch_log(listing_incomplete, url=listed_in(request))
    if count == cap + 1:
        logger.warning(
            "%s: more than %d article pages to fetch (its max_articles_per_run); "
            "the rest wait for the next run",
            source,
            cap,
        )
    return Postponed(f"over the source's max_articles_per_run ({cap})")


class UnchangedPagesFilter:
    """Spider middleware: leaves out requests for article pages that need no
    fetch (see :func:`unchanged_since`) as the spider yields them, so the
    thousands of known URLs a sitemap lists on every run never reach the
    scheduler, and postpones those over the source's ``max_articles_per_run``
    there too, so that the 50,000 each of a source's sitemaps may list cost a
    lookup each, not a trip through the scheduler (over a millisecond).
    :class:`FetchStateMiddleware` applies the same rules to whatever still
    gets through (rechecks)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = store_for(crawler)
        self.skipped: set[str] = set()
        self.started = utc_now()  # pages fetched since were fetched by this run
        config = config_from_settings(crawler.settings)
        self.article_cap = {s.name: s.max_articles_per_run for s in config.sources}
        self.passed: dict[str, set[str]] = {}  # per source: the article pages let through
        self.over: dict[str, int] = {}  # and how many were postponed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnchangedPagesFilter:
        return cls(crawler)

    def _wanted(self, result: Any) -> bool:
        if not isinstance(result, Request) or result.meta.get("syndicator_kind") != "article":
            return True
        state = self.store.fetch_state(result.url)
        if not unchanged_since(result, state):
            if not result.meta.get("refetch"):  # a refetch still wants its validators
                result.meta["syndicator_checked"] = True  # the downloader need not look again
            return self._within_cap(result)
        count_skipped(self.crawler, self.skipped, result.url, state, self.started)
        return False

    def _within_cap(self, request: Request) -> bool:
        """Whether the page may go on: its source has had fewer than
        max_articles_per_run pages through this run (a page listed twice
        counts once)."""
        source = request.meta.get("source", "")
        passed = self.passed.setdefault(source, set())
        cap = self.article_cap.get(source)
        if cap is None or request.url in passed or len(passed) < cap:
            passed.add(request.url)
            return True
        self.over[source] = self.over.get(source, 0) + 1
        postpone(self.crawler, request, cap, cap + self.over[source])
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
        self.started = utc_now()  # pages fetched since were fetched by this run
        config = config_from_settings(crawler.settings)
        self.article_cap = {s.name: s.max_articles_per_run for s in config.sources}
        self.admitted: dict[str, int] = {}
        # feeds, sitemaps and sections not followed in full: no validators kept
        self.incomplete: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.fetch_problem, signal=our_signals.fetch_problem)
        crawler.signals.connect(self.listing_incomplete, signal=listing_incomplete)

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
                count_skipped(self.crawler, self.skipped, request.url, state, self.started)
                raise AlreadyFetched(unchanged)
        self._admit(request)

    def _admit(self, request: Request) -> None:
        source = request.meta.get("source", "")
        if request.meta.get("syndicator_kind") == "article":
            count = self.admitted[source] = self.admitted.get(source, 0) + 1
            cap = self.article_cap.get(source)
            if cap is not None and count > cap:
                raise postpone(self.crawler, request, cap, count)
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

    def listing_incomplete(self, url: str | None) -> None:
        if url:
            self.incomplete.add(url)

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
            if url in self.incomplete:  # no 304 next run: what was left is listed again
                record["etag"] = record["last_modified"] = None
            elif reason != "finished":  # the validators of the last finished run stand
                record.pop("etag", None)
                record.pop("last_modified", None)
            self.store.record_fetch(url, **record)
        self.pending.clear()
        self.store.flush()


def listed_in(request: Request) -> str | None:
    """The feed, sitemap or section page that listed this article page."""
    kind, _, url = str(request.meta.get("via") or "").partition(" ")
    return url if kind in DISCOVERY else None


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
    (see :mod:`syndicator.netguard`); redirects come back through here too.

    Every request is judged by its own source's networks. A request of no
    source (robots.txt, which Scrapy fetches for a host before the first page
    there) is judged by the networks of the sources that asked for that host,
    and the resolver is told which networks each host may resolve to when
    the connection is made (:class:`syndicator.resolver.HostAllowances`)."""

    def __init__(self, allowed: dict[str, list[IPNetwork]], allowances: HostAllowances) -> None:
        self.allowed = allowed
        self.allowances = allowances

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        config = config_from_settings(crawler.settings)
        allowed = {source.name: list(source.allow_networks) for source in config.sources}
        return cls(allowed, host_allowances())

    async def process_request(self, request: Request) -> None:
        source = request.meta.get("source")
        host = urlsplit(request.url).hostname or ""
        allowed = self.allowed.get(source, []) if source else self.allowances.networks(host)
        try:
            await check_url(request.url, allowed, ALLOW_HINT)
        except NetworkRefusedError as exc:
            raise NetworkRefused(str(exc)) from None
        if source:  # only a request that goes out shares the host's connections
            self.allowances.note(host, allowed)


class UrlLengthMiddleware:
    """Refuses URLs longer than ``URLLENGTH_LIMIT`` (2,083, Scrapy's default).

    In place of Scrapy's spider middleware of the same name, which drops such
    a request with an INFO line only: refused here, the request goes to its
    errback like every other refusal, and the page gets a drops row (an
    article) or a fetch_state error (a feed, sitemap or section page)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlLengthMiddleware:
        return cls(crawler.settings.getint("URLLENGTH_LIMIT"))

    def process_request(self, request: Request) -> None:
        if self.limit and len(request.url) > self.limit:
            raise UrlTooLong(
                f"the URL is {len(request.url):,} characters long; the crawl fetches "
                f"none over {self.limit:,} (URLLENGTH_LIMIT)"
            )
