"""Run the crawl in this process: Scrapy with the ``sources`` spider."""

from __future__ import annotations

import json
import logging
from typing import Any

from syndicator.config import Config
from syndicator.logs import stderr_logging


def run_crawl(
    config: Config,
    sources: list[str] | tuple[str, ...] = (),
    log_level: str = "WARNING",
    log_format: str = "text",
) -> dict[str, Any]:
    """Crawl the given sources (default: every enabled one) and return the
    run's row from the ``runs`` table, with ``counts`` decoded. ``log_format``
    is ``text`` or ``json`` (see syndicator/logs.py)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

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
    running: list[Any] = []  # the process, once it exists (JSON lines read the run id from it)
    with stderr_logging(log_format, log_level, context=lambda: _log_context(running)):
        process = CrawlerProcess(settings)
        running.append(process)
        process.crawl(SourcesSpider, sources=",".join(sources))
        process.start()
    logging.getLogger("scrapy").handlers.clear()
    store = Store(config.store_path)
    try:
        run = store.last_run() or {}
    finally:
        store.close()
    run["counts"] = json.loads(run.get("counts") or "{}")
    return run


def _log_context(running: list[Any]) -> dict[str, Any]:
    """The command and run id of JSON log lines; the store pipeline puts the
    run id into the crawl's stats when it opens the run."""
    for process in running:
        for crawler in process.crawlers:
            try:
                run_id = crawler.stats.get_value("syndicator/run_id")
            except (AttributeError, RuntimeError):  # Scrapy: no stats before the crawl starts
                continue
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
