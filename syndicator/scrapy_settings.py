"""Scrapy settings for syndicator's crawl (``scrapy.cfg`` points here).

The values below are the fixed part. The config file supplies the rest (the
User-Agent, politeness, per-domain slots): the ``sources`` spider applies it
in ``update_settings``, so ``scrapy crawl sources`` and ``syndicator crawl``
behave the same. ``$SYNDICATOR_CONFIG`` names the config file for ``scrapy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from syndicator import __version__
from syndicator.config import Config, load_config

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from syndicator.store import Store

BOT_NAME = "syndicator"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Scrapy's AutoThrottle, but each source's delay is its own floor (syndicator.throttle)
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "syndicator.throttle.SourceThrottle": 0,
}
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_WARNSIZE = 0
CONCURRENT_REQUESTS = 32
# Scrapy starts this many tasks for every response's output; the pipelines are
# synchronous, so more than a few only costs time (100, the default, was a
# tenth of the crawl's CPU time on 2,000 pages)
CONCURRENT_ITEMS = 4
REDIRECT_MAX_TIMES = 10
LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "syndicator.logformatter.OneLineLogFormatter"
TWISTED_DNS_RESOLVER = "syndicator.resolver.GuardedResolver"
# first found, first fetched: feeds and sitemaps list the newest first, and when a
# source's max_articles_per_run cuts a run short, the newest are the ones fetched
SCHEDULER = "syndicator.scheduler.DiskQueueScheduler"  # the queue on disk, never resumed
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
# a source's concurrency holds, and its connections stay open (see connections.py)
DOWNLOADER = "syndicator.connections.SlotDownloader"
DOWNLOAD_HANDLERS = {
    "http": "syndicator.connections.KeepAliveDownloadHandler",
    "https": "syndicator.connections.KeepAliveDownloadHandler",
}
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.neardup.NearDupPipeline": 350,
    "pipelines.sanitise.SanitisePipeline": 400,
    "pipelines.render.RenderPipeline": 500,
    "pipelines.gate.QualityGatePipeline": 550,
    "pipelines.store.StorePipeline": 600,
}
SPIDER_MIDDLEWARES = {
    # nearest the spider: known, unchanged pages are left out before anything else
    "syndicator.middlewares.UnchangedPagesFilter": 950,
    # drops over-long URLs without a trace; syndicator.middlewares.UrlLengthMiddleware
    # refuses them where the refusal reaches the request's errback and is recorded
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
}
URLLENGTH_LIMIT = 2083
DOWNLOADER_MIDDLEWARES = {
    "syndicator.middlewares.UrlLengthMiddleware": 40,
    # before RobotsTxtMiddleware (100), so known, repeated and over-the-cap articles
    # cost nothing; outside RetryMiddleware (550), so it sees only final outcomes
    "syndicator.middlewares.FetchStateMiddleware": 50,
    "syndicator.middlewares.NetworkGuardMiddleware": 60,
    # nearer the downloader than RedirectMiddleware (600): sees the 3xx it follows
    "syndicator.middlewares.AnsweredStatusMiddleware": 700,
}
SYNDICATOR_CONFIG = None  # path of the config file; None = $SYNDICATOR_CONFIG or the default


def user_agent(config: Config) -> str:
    return f"syndicator/{__version__} (+{config.publisher.contact_url})"


def config_from_settings(settings: BaseSettings) -> Config:
    """The config this crawl runs with (loaded once, kept in the settings)."""
    config = settings.get("SYNDICATOR_CONFIG_OBJECT")
    if config is None:
        config = load_config(settings.get("SYNDICATOR_CONFIG"))
    return config


def store_for(crawler: Crawler) -> Store:
    """The crawl's one store connection, shared by the components that write
    to it, so their writes go into the same batched transactions."""
    store = getattr(crawler, "syndicator_store", None)
    if store is None:
        from syndicator.store import Store

        store = Store(config_from_settings(crawler.settings).store_path)
        crawler.syndicator_store = store  # type: ignore[attr-defined]
    return store


def apply_config(settings: BaseSettings, config: Config) -> None:
    """Config-derived settings: User-Agent, politeness defaults, per-domain slots."""
    from syndicator.config import DEFAULT_POLITENESS

    defaults = config.crawl.model_dump(exclude_none=True)
    polite = DEFAULT_POLITENESS.model_copy(update=defaults)
    values: dict[str, Any] = {
        "SYNDICATOR_CONFIG_OBJECT": config,
        "SYNDICATOR_CONFIG": str(config.path),
        "USER_AGENT": user_agent(config),
        "DOWNLOAD_DELAY": polite.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_domain,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(polite.delay or 0, 0.1),
        "DOWNLOAD_TIMEOUT": polite.timeout,
        "RETRY_TIMES": polite.retries,
        "DOWNLOAD_MAXSIZE": polite.max_response_bytes,
    }
    slots: dict[str, dict[str, Any]] = {}
    for source in config.sources:
        mine = source.politeness(config.crawl)
        for url in (*source.feeds, *source.sitemaps, *source.sections):
            host = urlsplit(url).hostname or ""
            slots[host] = {
                "concurrency": mine.concurrency_per_domain,
                "delay": mine.delay,
                "jitter": 0.5,
            }
    values["DOWNLOAD_SLOTS"] = slots
    # AutoThrottle is one extension for the whole crawl: it runs if any source
    # wants it; the others' requests carry autothrottle_dont_adjust_delay
    values["AUTOTHROTTLE_ENABLED"] = any(
        s.politeness(config.crawl).autothrottle for s in config.sources
    ) or bool(polite.autothrottle and not config.sources)
    for key, value in values.items():
        settings.set(key, value, priority="spider")
