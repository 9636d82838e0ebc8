"""Write articles, their notes, drops and the run's record into the store."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from pipelines.render import RenderPipeline
from syndicator import boilerplate, lifecycle, teaser_learning
from syndicator.dates import utc_now
from syndicator.items import ArticleItem
from syndicator.scrapy_settings import config_from_settings, store_for
from syndicator.store import Store

logger = logging.getLogger(__name__)

# drop reasons counted as the run's errors (the rest are counted as dropped)
ERROR_REASONS = ("fetch_failed", "extraction_failed")
ARTICLE_COLUMNS = (
    "id",
    "source",
    "url",
    "canonical_url",
    "title",
    "author",
    "published_at",
    "published_local",
    "modified_at",
    "language",
    "image_url",
    "tags",
    "description",
    "body_html",
    "body_text",
    "word_count",
    "republish_html",
    "content_hash",
    "duplicate_of",
    "similarity",
    "revision",
    "hold",
)


class StorePipeline:
    """Saves each article (new or changed) and records every drop.

    It also owns the crawl's row in ``runs``: opened when the spider opens,
    closed with the crawl's counts when it closes.
    """

    def __init__(self, crawler: Crawler, store: Store) -> None:
        self.crawler = crawler
        self.store = store
        self.config = config_from_settings(crawler.settings)
        self.run_id: int | None = None
        # this run's new stories and copies (a copy stored first may turn into a duplicate)
        self.new_ids: set[str] = set()
        self.duplicate_ids: set[str] = set()
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, store_for(crawler))

    def open_spider(self) -> None:
        self.store.sync_sources(
            [
                {
                    "name": s.name,
                    "title": s.display_name,
                    "enabled": int(s.enabled),
                    "feeds": s.feeds,
                    "sitemaps": s.sitemaps,
                    "sections": s.sections,
                }
                for s in self.config.sources
            ]
        )
        self.run_id = self.store.start_run("crawl")
        self.crawler.stats.set_value("syndicator/run_id", self.run_id)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        now = utc_now()
        stats = self.crawler.stats
        if item.state != "new":
            stats.inc_value(f"syndicator/{item.state}")
        elif item.duplicate_of:
            self.duplicate_ids.add(item.id)
        else:
            self.new_ids.add(item.id)
        stored: dict[str, Any] = {}
        if item.state == "unchanged":
            self.store.touch_article(item.id, now)
            stored = self.store.article(item.id) or {}
            item.hold = stored.get("hold")  # the gate's verdict stands, or the release
            if stored.get("republish_html") != item.republish_html:
                self._save(
                    item,
                    now,
                    first_seen=stored.get("first_seen_at"),
                    changed_at=stored.get("changed_at"),
                )
        elif item.state == "updated":
            stored = self.store.article(item.id) or {}
            item.revision = self.store.keep_revision(item.id, now)
            self._save(item, now, first_seen=stored.get("first_seen_at"), changed_at=now)
        else:
            self._save(item, now, first_seen=None, changed_at=now)
            # a new story's page teaches its source's template; a page fetched
            # again would repeat it (syndicator.teaser_learning)
            teaser_learning.record(self.store, item.source, item.teaser_places, self.run_id)
            if item.replaces:
                self.store.mark_duplicate(item.replaces, item.id, item.similarity or 1.0)
                self.new_ids.discard(item.replaces)
                self.duplicate_ids.add(item.replaces)
        self._lifecycle(item, stored)
        self._fetched(item, now)
        for note in item.notes:
            self.store.record_note(
                item.url,
                note["kind"],
                note["detail"],
                source=item.source,
                article_id=item.id,
                run_id=self.run_id,
            )
        return item

    def _lifecycle(self, item: ArticleItem, stored: dict[str, Any]) -> None:
        """The audit trail of the gate's verdicts, and a page back after a 404."""
        before = stored.get("hold")
        if item.hold and item.hold != before:
            self.store.record_event("held", item.id, reason=item.hold, command="crawl")
        elif before and not item.hold:
            reason = "a later crawl found the copy fixed"
            self.store.record_event("released", item.id, reason=reason, command="crawl")
        if stored.get("gone_since"):
            lifecycle.back_at_source(self.store, item.id)

    def _save(
        self, item: ArticleItem, now: str, first_seen: str | None, changed_at: str | None
    ) -> None:
        row: dict[str, Any] = {column: getattr(item, column) for column in ARTICLE_COLUMNS}
        row.update(first_seen_at=first_seen or now, last_seen_at=now, changed_at=changed_at or now)
        self.store.save_article(row, item.teasers, item.fingerprints)

    def _fetched(self, item: ArticleItem, now: str, error: str | None = None) -> None:
        for url in {item.request_url or item.url, item.url}:
            self.store.record_fetch(
                url,
                source=item.source,
                kind="article",
                status=item.status,
                fetched_at=now,
                error=error,
                etag=item.etag,
                last_modified=item.last_modified,
            )

    def _learn_boilerplate(self, sources: dict[str, Any]) -> None:
        """What this run's articles and the store's teach of each source's
        repeated lines, cut from the bodies stored (syndicator.boilerplate).
        One source's failure is logged and the others go on."""
        render = RenderPipeline(self.config, self.store)
        for source in sources.values():
            if not source.boilerplate.learn:
                continue
            try:
                _learn_boilerplate_of(self.store, source, render, logger)
            except Exception as exc:  # a bug must not cost the run its summary
                logger.error("%s: learning its repeated lines failed: %r", source.name, exc)
                self.crawler.stats.inc_value("syndicator/errors")

    def item_dropped(
        self, item: Any, response: Response | None, exception: DropItem, spider: Spider
    ) -> None:
        if not isinstance(item, ArticleItem):
            return
        reason = getattr(exception, "reason", "dropped")
        detail = getattr(exception, "detail", str(exception))
        failed = reason in ERROR_REASONS
        stats = self.crawler.stats
        stats.inc_value("syndicator/errors" if failed else "syndicator/dropped")
        stats.inc_value(f"syndicator/dropped/{reason}")
        self.store.record_drop(item.url, item.source, reason, detail, run_id=self.run_id)
        # a network failure, a 5xx or a dead extraction process is worth another try
        # next run; the rest is settled
        error = f"{reason}: {detail}" if failed else None
        if reason == "extraction_failed" or (failed and (item.status or 500) >= 500):
            item.status = None
        self._fetched(item, utc_now(), error=error)
        if reason == "fetch_failed" and item.status in (404, 410):
            # a stored article's page gone from its source (syndicator.lifecycle)
            urls = [item.request_url or item.url, item.url]
            after = self.config.dedup.withdraw_after_hours
            withdrawn = lifecycle.source_gone(self.store, urls, item.status, after, "crawl")
            if withdrawn:
                stats.inc_value("syndicator/withdrawn")
                logger.warning("%s: withdrawn from every partner: HTTP %s", item.url, item.status)

    def item_error(
        self, item: Any, response: Response | None, spider: Spider, failure: Any
    ) -> None:
        """A bug or a store failure while processing a page: counted as an error,
        recorded as a drop, and the crawl goes on."""
        if not isinstance(item, ArticleItem):
            return
        self.crawler.stats.inc_value("syndicator/errors")
        error = failure.value if hasattr(failure, "value") else failure
        detail = f"{type(error).__name__}: {' '.join(str(error).split())}"[:500]
        self.store.record_drop(
            item.url, item.source, "processing_error", detail, run_id=self.run_id
        )

    def close_spider(self) -> None:
        self.store.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        if reason != "shutdown":  # a stop asked for: close promptly
            self._learn_boilerplate(getattr(spider, "sources", {}))
        counts = crawl_counts(self.crawler.stats.get_stats(), getattr(spider, "sources", {}))
        counts.update(new=len(self.new_ids), duplicates=len(self.duplicate_ids))
        status = "ok" if reason == "finished" else "interrupted"
        if reason == "finished" and counts["failed_sources"]:
            status = "failed"
        error = None
        if counts["failed_sources"]:
            error = "no page could be fetched from " + ", ".join(counts["failed_sources"])
        self.store.finish_run(self.run_id, status, counts, error)


def _learn_boilerplate_of(
    store: Store, source: Any, render: RenderPipeline, logger: logging.Logger
) -> None:
    learned = boilerplate.learn(store, source.name, source.boilerplate.min_pages)
    changed = boilerplate.sweep(store, source.name, learned, render.render_stored)
    if changed:
        logger.info(
            "%s: %d stored bodies cut of the lines the source repeats (a new revision each)",
            source.name,
            changed,
        )


def crawl_counts(stats: dict[str, Any], sources: dict[str, Any]) -> dict[str, Any]:
    """The numbers a crawl reports, from its Scrapy stats.

    A source has failed when none of its requests got an answer and at least
    one failed (unreachable, every page an error).
    """
    failed = sorted(
        name
        for name in sources
        if stats.get(f"syndicator/source/{name}/failed", 0)
        and not stats.get(f"syndicator/source/{name}/ok", 0)
    )
    counts: dict[str, Any] = {
        key: stats.get(f"syndicator/{key}", 0)
        for key in ("new", "updated", "unchanged", "duplicates", "dropped", "errors")
    }
    counts["drop_reasons"] = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("syndicator/dropped/")
    }
    counts["requests"] = stats.get("downloader/request_count", 0)
    counts["postponed"] = sum(
        value for key, value in stats.items() if key.startswith("syndicator/postponed/")
    )
    counts["failed_sources"] = failed
    return counts
