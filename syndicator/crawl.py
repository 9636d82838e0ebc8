"""Run the crawl in this process: Scrapy with the ``sources`` spider."""

from __future__ import annotations

import json
import logging
from typing import Any

from syndicator.config import Config


def run_crawl(
    config: Config, sources: list[str] | tuple[str, ...] = (), log_level: str = "WARNING"
) -> dict[str, Any]:
    """Crawl the given sources (default: every enabled one) and return the
    run's row from the ``runs`` table, with ``counts`` decoded."""
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
    settings.set(
        "LOG_FORMAT", "%(asctime)s %(levelname)s %(name)s: %(message)s", priority="cmdline"
    )
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
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
    reason = f": {run['error']}" if run.get("error") else ""
    return f"{verdict}{reason}; {parts} in {seconds:.1f}s (store {store_path})"
