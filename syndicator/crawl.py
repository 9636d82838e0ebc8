"""Run the crawl in this process: Scrapy with the ``sources`` spider.

SIGTERM or SIGINT (Ctrl-C) stops it within seconds, whatever the sites and the
config do (see :class:`StoppingCrawlerProcess`): the run's row in ``runs`` is
closed as ``interrupted``, one line says so on stderr, and the process then
ends by the signal, as it would have without a handler (exit status 143 for
SIGTERM in a shell), so ``syndicator run`` publishes nothing after it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names
from twisted.internet.defer import DeferredList

from syndicator.config import Config
from syndicator.dates import utc_now
from syndicator.logs import stderr_logging

if TYPE_CHECKING:
    from syndicator.store import Store

logger = logging.getLogger(__name__)
STOP_GRACE = 5.0  # seconds a stopping crawl has to finish what it has in flight
STOP_LIMIT = 12.0  # seconds after the signal by which the process has ended, come what may
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_crawl(
    config: Config,
    sources: list[str] | tuple[str, ...] = (),
    log_level: str = "WARNING",
    log_format: str = "text",
) -> dict[str, Any]:
    """Crawl the given sources (default: every enabled one) and return the
    run's row from the ``runs`` table, with ``counts`` decoded. ``log_format``
    is ``text`` or ``json`` (see syndicator/logs.py).

    A crawl stopped by a signal does not return: it prints its summary line
    and ends the process by that signal."""
    from spiders.sources import SourcesSpider
    from syndicator.store import Store

    for name in sources:
        config.source(name)  # unknown names are a config error, before anything starts
    settings = Settings()
    settings.setmodule("syndicator.scrapy_settings", priority="project")
    settings.set("SYNDICATOR_CONFIG_OBJECT", config, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    # our root handler, not Scrapy's: it writes --log-format json too, like publish's
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    started = time.monotonic()
    running: list[Any] = []  # the process, once it exists (JSON lines read the run id from it)
    with stderr_logging(log_format, log_level, context=lambda: _log_context(running)):
        process = StoppingCrawlerProcess(settings, config.store_path)
        running.append(process)
        process.crawl(SourcesSpider, sources=",".join(sources))
        process.run()
    logging.getLogger("scrapy").handlers.clear()
    store = Store(config.store_path)
    try:
        run_id = _run_id(process)
        if process.stopped_by is not None:
            run = _close_stopped_run(store, process, run_id)
        else:
            run = (_run(store, run_id) if run_id else None) or store.last_run() or {}
    finally:
        store.close()
    run["counts"] = json.loads(run.get("counts") or "{}")
    if process.stopped_by is not None:
        print(
            summary_line(run, time.monotonic() - started, str(config.store_path)),
            file=sys.stderr,
            flush=True,
        )
        process.end_by_signal()
    return run


class StoppingCrawlerProcess(CrawlerProcess):
    """Scrapy's ``CrawlerProcess``, whose stop on SIGTERM or SIGINT ends within seconds.

    Scrapy's first signal starts a graceful stop that waits for every request
    in flight, and a request queued behind a five-minute ``delay``, or a page
    arriving a byte a second, holds it as long as they last; its second signal
    stops the reactor without closing the spider (the ``runs`` row stays
    ``running``). Here the graceful stop has ``STOP_GRACE`` seconds; then, or
    at a second signal, the spider is closed as the engine closes it (the
    ``runs`` row, the fetch state, the extraction processes), what is still in
    flight is abandoned, and the reactor stops. Should a callback keep the
    reactor busy past ``STOP_LIMIT`` seconds, a watchdog thread closes the
    ``runs`` row and ends the process.

    ``_signal_shutdown`` and ``_signal_kill`` are Scrapy's (private) handlers
    of the first and second signal; tests/test_limits.py fails if a Scrapy
    release stops calling them.
    """

    def __init__(self, settings: Settings, store_path: Path) -> None:
        super().__init__(settings)
        self.store_path = store_path
        self.stopped_by: int | None = None
        self._closed: set[int] = set()  # crawlers whose spider_closed has been sent
        self._stopping_now = False
        self._watchdog: threading.Timer | None = None
        self._previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)
        return crawler

    def _spider_closed(self, spider: Spider) -> None:
        self._closed.add(id(spider.crawler))

    def run(self) -> None:
        """Crawl until done or stopped; the signal handlers are put back after,
        so that a signal during what follows (the publish step of ``run``)
        does what it did before the crawl."""
        try:
            self.start()
        finally:
            if self._watchdog is not None:
                self._watchdog.cancel()
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)

    # the first signal: Scrapy's graceful stop, for STOP_GRACE seconds
    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor  # not at import: it would install the default one

        self.stopped_by = signum
        super()._signal_shutdown(signum, frame)  # makes the next signal call _signal_kill
        reactor.callFromThread(self._stopping, signum)  # no logging in a signal handler
        self._watchdog = threading.Timer(STOP_LIMIT, self._exit_now)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _stopping(self, signum: int) -> None:
        from twisted.internet import reactor

        logger.warning(
            "received %s: stopping; what is in flight has %g s to finish",
            signal_names[signum],
            STOP_GRACE,
        )
        reactor.callLater(STOP_GRACE, self._stop_now)

    # a second signal, or the grace is over: close the spiders and stop
    def _signal_kill(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        install_shutdown_handlers(signal.SIG_IGN)
        reactor.callFromThread(self._stop_now)

    def _stop_now(self) -> None:
        if self._stopping_now:
            return
        self._stopping_now = True
        still_open = [
            crawler
            for crawler in self.crawlers
            if crawler.spider is not None and id(crawler) not in self._closed
        ]
        if still_open:
            logger.warning("stopping now; what was in flight is fetched again next run")
        # as the engine closes a spider: the runs row, the fetch state, the pool
        closing = [
            deferred_from_coro(
                crawler.signals.send_catch_log_async(
                    signal=signals.spider_closed, spider=crawler.spider, reason="shutdown"
                )
            )
            for crawler in still_open
        ]
        DeferredList(closing).addBoth(self._stop_reactor)

    def _exit_now(self) -> None:
        """From the watchdog thread: the reactor did not get to stop in time
        (a callback kept it busy), so the process ends here."""
        signum = self.stopped_by or signal.SIGTERM
        error = f"stopped by {signal_names[signum]}; still busy {STOP_LIMIT:g} s after it"
        _close_run_row(self.store_path, _run_id(self), error)
        sys.stderr.write(f"crawl interrupted: {error}, so ended at once\n")
        sys.stderr.flush()
        os._exit(128 + signum)

    def end_by_signal(self) -> NoReturn:
        assert self.stopped_by is not None
        end_by_signal(self.stopped_by)


def end_by_signal(signum: int) -> NoReturn:
    """End the process as the signal would have without a handler: by it
    (exit status 128 + its number), or KeyboardInterrupt for SIGINT."""
    signal.raise_signal(signum)
    raise SystemExit(128 + signum)  # its handler returned: exit as if killed


def _run_id(process: CrawlerProcess) -> int | None:
    for crawler in process.crawlers:
        try:
            run_id = crawler.stats.get_value("syndicator/run_id")
        except (AttributeError, RuntimeError):  # Scrapy: no stats before the crawl starts
            continue
        if run_id is not None:
            return int(run_id)
    return None


def _run(store: Store, run_id: int) -> dict[str, Any] | None:
    rows = list(store.db["runs"].rows_where("id = ?", [run_id]))
    return rows[0] if rows else None


def _close_stopped_run(
    store: Store, process: StoppingCrawlerProcess, run_id: int | None
) -> dict[str, Any]:
    """The run's row, closed as ``interrupted`` with the signal as its error."""
    from pipelines.store import crawl_counts

    assert process.stopped_by is not None
    stopped = f"stopped by {signal_names[process.stopped_by]}"
    run = (_run(store, run_id) if run_id else None) or {}
    if not run:  # stopped before the crawl opened its row
        return {"status": "interrupted", "error": stopped}
    counts = json.loads(run.get("counts") or "null")
    if counts is None:  # the spider never got to close: the counts so far
        crawler = next(iter(process.crawlers))
        counts = crawl_counts(crawler.stats.get_stats(), getattr(crawler.spider, "sources", {}))
    error = "; ".join(filter(None, [stopped, run.get("error")]))
    store.finish_run(run["id"], "interrupted", counts, error)
    return _run(store, run["id"]) or run


def _close_run_row(store_path: Path, run_id: int | None, error: str) -> None:
    """Close a run's row from another thread, if the store lets us within a
    second or two (the crawl may hold its write lock)."""
    if run_id is None:
        return
    try:
        with closing(sqlite3.connect(store_path, timeout=2)) as db, db:
            db.execute(
                "update runs set status = 'interrupted', finished_at = ?, error = ? "
                "where id = ? and status = 'running'",
                [utc_now(), error, run_id],
            )
    except sqlite3.Error:
        pass  # the row says running; `syndicator status` shows it


def _log_context(running: list[Any]) -> dict[str, Any]:
    """The command and run id of JSON log lines; the store pipeline puts the
    run id into the crawl's stats when it opens the run."""
    for process in running:
        run_id = _run_id(process)
        if run_id is not None:
            return {"command": "crawl", "run_id": run_id}
    return {"command": "crawl"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def summary_line(run: dict[str, Any], seconds: float, store_path: str) -> str:
    counts = run.get("counts", {})
    errors = counts.get("errors", 0)
    parts = (
        f"{counts.get('new', 0)} new, {_plural(counts.get('duplicates', 0), 'duplicate')}, "
        f"{counts.get('updated', 0)} updated, "
        f"{counts.get('unchanged', 0)} unchanged, {counts.get('dropped', 0)} dropped, "
        f"{errors} error{'s' * (errors != 1)}"
    )
    verdict = {"ok": "crawl finished", "failed": "crawl failed"}.get(
        run.get("status", ""), f"crawl {run.get('status', 'did not run')}"
    )
    # what went out, and what a source's max_articles_per_run left for the next run
    requests, postponed = counts.get("requests", 0), counts.get("postponed", 0)
    sent = f"{_plural(requests, 'request')}, {postponed} postponed"
    reason = f": {run['error']}" if run.get("error") else ""
    return f"{verdict}{reason}; {parts}; {sent} in {seconds:.1f}s (store {store_path})"
