"""The ``sources`` spider: discovers articles through each source's feeds,
sitemaps and section pages, and extracts every article page it fetches.

    scrapy crawl sources                      # every enabled source
    scrapy crawl sources -a sources=a,b       # just these
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from twisted.python.failure import Failure

from spiders.discovery import Found, by_need, read_feed, read_sitemap, section_links
from syndicator import boilerplate, teaser_learning
from syndicator import signals as our_signals
from syndicator.charsets import page_text
from syndicator.config import Source
from syndicator.extraction_pool import ExtractionError, ExtractionPool
from syndicator.items import ArticleItem
from syndicator.middlewares import (
    ANSWERED_STATUS,
    AlreadyFetched,
    Postponed,
    Refused,
    describe_exception,
    listing_incomplete,
)
from syndicator.netguard import NetworkRefusedError
from syndicator.rights import paywall_matches
from syndicator.scrapy_settings import apply_config, config_from_settings, store_for
from syndicator.urls import same_site

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class SourcesSpider(Spider):
    name = "sources"

    def __init__(self, sources: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only = [name for name in sources.split(",") if name]
        # per source, this run: the sitemaps requested (max_sitemaps_per_run), those
        # found through an index in earlier runs (fetched when an index answers 304),
        # and the limits already warned of
        self.sitemaps_requested: dict[str, set[str]] = {}
        self.remembered: dict[str, list[str]] = {}
        self.warned: set[tuple[str, str]] = set()
        self._boilerplate: dict[str, dict[str, list[str]]] = {}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_config(settings, config_from_settings(settings))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourcesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = config_from_settings(crawler.settings)
        spider.sources = {s.name: s for s in config.enabled_sources(spider.only)}
        spider.politeness = {s.name: s.politeness(config.crawl) for s in spider.sources.values()}
        spider.recheck = [(r.max_age_days, r.every_hours) for r in config.dedup.recheck]
        spider.pool = ExtractionPool(
            crawler.settings.getint("SYNDICATOR_WORKERS") or None,
            timeout=config.extraction.timeout,
            max_memory_mb=config.extraction.max_memory_mb,
        )
        crawler.signals.connect(spider._close_pool, signal=signals.spider_closed)
        return spider

    def _close_pool(self) -> None:
        self.pool.close()

    # -- requests --------------------------------------------------------------

    def _meta(self, source: Source, kind: str, **extra: Any) -> dict[str, Any]:
        polite = self.politeness[source.name]
        meta = {
            "source": source.name,
            "syndicator_kind": kind,
            "download_timeout": polite.timeout,
            "max_retry_times": polite.retries,
            "download_maxsize": polite.max_response_bytes,
            **extra,
        }
        if not polite.obey_robots:
            meta["dont_obey_robotstxt"] = True
        if not polite.autothrottle:
            meta["autothrottle_dont_adjust_delay"] = True
        return meta

    def _discovery(self, url: str, source: Source, kind: str, **extra: Any) -> Request:
        callback = {
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "section": self.parse_section,
        }[kind]
        meta = self._meta(source, kind, handle_httpstatus_list=[304], **extra)
        return Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            meta=meta,
            dont_filter=True,
            priority=10,
        )

    def _article(self, found: Found, source: Source, via: str, refetch: bool = False) -> Request:
        meta = self._meta(source, "article", discovered_at=found.date, hints=found.hints, via=via)
        if refetch:
            meta.update(refetch=True, handle_httpstatus_list=[304])
        # dont_filter: FetchStateMiddleware de-duplicates articles within a run, so a
        # newer-dated rediscovery of a URL skipped as unchanged still gets through
        return Request(
            found.url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta=meta,
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Request]:
        store = store_for(self.crawler)
        for source in self.sources.values():
            for url in source.feeds:
                yield self._discovery(url, source, "feed")
            # before the first sitemap goes out: its 304 may come back at once
            self.remembered[source.name] = store.discovered_sitemaps(
                source.name, exclude=source.sitemaps, limit=source.max_sitemaps_per_run
            )
            # the configured sitemaps are within max_sitemaps_per_run (the config checks)
            self.sitemaps_requested[source.name] = set(source.sitemaps)
            for url in source.sitemaps:
                yield self._discovery(url, source, "sitemap", depth=1)
            # stored articles due for another look, by their age (conditional GET)
            for url in store.due_for_recheck(source.name, self.recheck):
                yield self._article(Found(url), source, via="recheck", refetch=True)
            for url in source.sections:
                yield self._discovery(url, source, "section", depth=1)

    # -- discovery -------------------------------------------------------------

    def learned_places(self, source: Source) -> dict[str, list[str]]:
        """The places of the source's related-story blocks its pages taught so
        far, this run's included, for each of its sites (syndicator.teaser_learning)."""
        return teaser_learning.learned_places(store_for(self.crawler), source.name)

    def learned_boilerplate(self, source: Source) -> dict[str, list[str]]:
        """The lines the source repeats across its articles, by site, as the run
        started (syndicator.boilerplate: this run's pages teach at its end)."""
        if source.name not in self._boilerplate:
            self._boilerplate[source.name] = boilerplate.learned_lines(
                store_for(self.crawler), source.name
            )
        return self._boilerplate[source.name]

    def _source(self, response: Response) -> Source:
        return self.sources[response.meta["source"]]

    def _problem(self, response: Response, problem: str) -> None:
        source = response.meta["source"]
        self.logger.warning("%s: %s (%s)", source, problem, response.url)
        self.crawler.stats.inc_value("syndicator/errors")
        self.crawler.signals.send_catch_log(
            our_signals.fetch_problem, url=response.url, source=source, error=problem
        )

    async def _read(self, response: Response, reader: Any, *args: Any) -> Any:
        """``reader(*args)`` for a feed or sitemap, in the extraction pool: off
        the event loop and under the page budget (feedparser takes seconds over
        a big or deeply nested feed). None, with the problem recorded, when it
        went over the budget."""
        kind = response.meta["syndicator_kind"]
        try:
            return await self.pool.run(reader, *args, doing=f"reading the {kind}", subject=kind)
        except ExtractionError as exc:
            self._problem(response, exc.detail)
            return None

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        if response.status == 304:
            return
        headers = {
            k.decode("latin-1").lower(): v[0].decode("latin-1")
            for k, v in response.headers.items()
            if v
        }
        result = await self._read(response, read_feed, response.body, response.url, headers)
        if result is None:
            return
        if result.problems:
            self._problem(response, "; ".join(result.problems))
        source = self._source(response)
        for found in result.entries:
            yield self._article(found, source, via=f"feed {response.url}")

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        source = self._source(response)
        depth = response.meta.get("depth", 1)
        if response.status == 304:
            # unchanged, so the sitemaps it listed stand; they change while it does not
            remembered = self._remembered(source)
            for request in self._listed_sitemaps(response.url, depth, source, remembered):
                yield request
            return
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=response.meta["download_maxsize"])
            except Exception as exc:
                self._problem(response, f"cannot decompress sitemap: {describe_exception(exc)}")
                return
        result = await self._read(response, read_sitemap, body, response.url)
        if result is None:
            return
        if result.problems:
            self._problem(response, "; ".join(result.problems))
        if result.is_index:
            for request in self._listed_sitemaps(response.url, depth, source, result.entries):
                yield request
            return
        for found in result.entries:
            yield self._article(found, source, via=f"sitemap {response.url}")

    def parse_section(self, response: Response) -> Iterator[Request]:
        if response.status == 304 or not isinstance(response, TextResponse):
            return
        source = self._source(response)
        links = (
            (a.attrib.get("href", ""), a.attrib.get("rel", "")) for a in response.css("a[href]")
        )
        for found in section_links(links, response.url, source.article_pattern or ""):
            yield self._article(found, source, via=f"section {response.url}")
        depth = response.meta.get("depth", 1)
        next_page = response.css("link[rel=next]::attr(href), a[rel~=next]::attr(href)").get()
        if next_page and depth < source.section_depth:
            url = response.urljoin(next_page)
            if same_site(url, response.url):
                yield self._discovery(url, source, "section", depth=depth + 1)

    def discovery_failed(self, failure: Failure) -> list[Request]:
        if failure.check(AlreadyFetched):
            return []
        request = failure.request
        if failure.check(HttpError):
            error = f"HTTP {failure.value.response.status}"
        elif failure.check(Refused):
            error = str(failure.value)
        else:
            error = describe_exception(failure.value, request)
        source = request.meta["source"]
        kind = request.meta["syndicator_kind"]
        self.logger.warning("%s: %s %s failed: %s", source, kind, request.url, error)
        self.crawler.stats.inc_value("syndicator/errors")
        if failure.check(IgnoreRequest):
            self.crawler.stats.inc_value(f"syndicator/source/{source}/failed")
            self.crawler.signals.send_catch_log(
                our_signals.fetch_problem, url=request.url, source=source, error=error
            )
        if kind != "sitemap":
            return []
        # what a failing index listed last time is still worth a look
        depth = request.meta.get("depth", 1)
        remembered = self._remembered(self.sources[source])
        return list(self._listed_sitemaps(request.url, depth, self.sources[source], remembered))

    # -- sitemaps: how deep (sitemap_depth) and how many (max_sitemaps_per_run) --

    def _remembered(self, source: Source) -> list[Found]:
        """The sitemaps found through the source's indexes in earlier runs, once a run."""
        return [Found(url) for url in self.remembered.pop(source.name, [])]

    def _listed_sitemaps(
        self, url: str, depth: int, source: Source, listed: list[Found]
    ) -> Iterator[Request]:
        """Requests for the sitemaps that the index at ``url`` lists, as far as
        the source's limits allow; what they leave out is recorded against it."""
        if not listed:
            return
        if depth >= source.sitemap_depth:
            self._over_limit(
                url,
                source,
                "sitemap_depth",
                f"the {len(listed)} sitemap{'s' * (len(listed) != 1)} listed here were not "
                f"fetched: sitemap indexes nested deeper than {source.sitemap_depth} levels "
                "are not followed (the source's sitemap_depth)",
            )
            return
        fresh = list(
            {found.url: found for found in listed if not self._requested(source, found)}.values()
        )
        allowed = self._take_sitemaps(source, fresh)
        for found in allowed:
            yield self._discovery(found.url, source, "sitemap", depth=depth + 1)
        if len(allowed) < len(fresh):
            self._over_limit(
                url,
                source,
                "max_sitemaps_per_run",
                f"{len(fresh) - len(allowed)} of the {len(fresh)} sitemaps listed here were not "
                f"fetched this run: over the source's max_sitemaps_per_run "
                f"({source.max_sitemaps_per_run}); the newest were fetched, the others come "
                "next run",
            )
            # read in full next run (no 304), so the sitemaps left out are listed again
            self.crawler.signals.send_catch_log(listing_incomplete, url=url)

    def _requested(self, source: Source, found: Found) -> bool:
        return found.url in self.sitemaps_requested.setdefault(source.name, set())

    def _take_sitemaps(self, source: Source, listed: list[Found]) -> list[Found]:
        """The sitemaps that may be fetched, of those listed (none requested yet
        this run): all, or as many as max_sitemaps_per_run leaves, the most
        needed first (see :func:`spiders.discovery.by_need`)."""
        requested = self.sitemaps_requested.setdefault(source.name, set())
        room = max(0, source.max_sitemaps_per_run - len(requested))
        if len(listed) > room:
            store = store_for(self.crawler)
            last = {f.url: (store.fetch_state(f.url) or {}).get("fetched_at") for f in listed}
            listed = by_need(listed, last)[:room]
        requested.update(found.url for found in listed)
        return listed

    def _over_limit(self, url: str, source: Source, key: str, detail: str) -> None:
        """A limit left out some of what the document at ``url`` listed: one
        ``drops`` row (reason ``over_limit``) and, once a run, a warning."""
        stats = self.crawler.stats
        stats.inc_value("syndicator/dropped")
        stats.inc_value("syndicator/dropped/over_limit")
        if (source.name, key) not in self.warned:
            self.warned.add((source.name, key))
            self.logger.warning(
                "%s: %s (%s); see drops, reason over_limit", source.name, detail, url
            )
        self._record_drop(url, source.name, "over_limit", detail)

    def _record_drop(self, url: str, source: str, reason: str, detail: str) -> None:
        run_id = self.crawler.stats.get_value("syndicator/run_id")
        store_for(self.crawler).record_drop(url, source, reason, detail, run_id=run_id)

    # -- articles --------------------------------------------------------------

    def _item_fields(self, request: Request, **fields: Any) -> dict[str, Any]:
        return {
            "source": request.meta["source"],
            # the URL as listed, before any redirect: it is the one known next run
            "request_url": (request.meta.get("redirect_urls") or [request.url])[0],
            "discovered_via": request.meta.get("via", ""),
            "discovered_at": request.meta.get("discovered_at"),
            "hints": request.meta.get("hints") or {},
            **fields,
        }

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        if response.status == 304:
            return  # rechecked and not modified; the middleware noted the visit
        ctype = response.headers.get("Content-Type") or b""
        fields = self._item_fields(
            response.request,
            url=response.url,
            status=response.status,
            content_type=ctype.decode("latin-1"),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        is_html = isinstance(response, TextResponse) and (
            not ctype or ctype.split(b";")[0].strip().lower() in HTML_TYPES
        )
        if not is_html:
            yield ArticleItem(**fields)
            return
        source = self._source(response)
        selectors = source.teasers.model_dump()
        learned = self.learned_places(source) if source.teasers.learn else {}
        repeated = self.learned_boilerplate(source) if source.boilerplate.learn else {}
        try:
            result = await self.pool.extract(
                page_text(response), response.url, selectors, learned, repeated
            )
        except ExtractionError as exc:  # over the budget, or the extraction failed twice
            yield ArticleItem(**fields, fetch_error=exc.detail, fetch_reason=exc.reason)
            return
        item = ArticleItem.from_extraction(result, **fields)
        item.paywalled = item.paywalled or paywall_matches(response, source.paywall)
        yield item
        if source.follow_teasers:
            for teaser in item.teasers:
                if same_site(teaser["url"], response.url):
                    yield self._article(Found(teaser["url"]), source, via=f"teaser {response.url}")

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        if failure.check(AlreadyFetched):
            return
        request = failure.request
        status, reason = None, "fetch_failed"
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        elif failure.check(Refused, NetworkRefusedError):  # a private network, a long URL
            error, reason = str(failure.value), getattr(failure.value, "reason", "network_refused")
        elif failure.check(Postponed):
            return
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            error, reason = str(failure.value), "robots_txt"
        elif failure.check(IgnoreRequest):  # too large, too many redirects, ...
            error = " ".join(str(failure.value).split())
            status = request.meta.get(ANSWERED_STATUS)
        else:
            error = describe_exception(failure.value, request)
            status = request.meta.get(ANSWERED_STATUS)
        yield ArticleItem(
            **self._item_fields(
                request, url=request.url, status=status, fetch_error=error, fetch_reason=reason
            )
        )
