"""Start a worker or the ingest process: one Scrapy crawl each, logging like
``syndicator crawl`` (``--log-format``), with the Redis password redacted,
stopped by SIGTERM within seconds like ``syndicator crawl``."""

from __future__ import annotations

import logging
from typing import Any

from syndicator.config import Config


class IngestLocked(Exception):
    """Another ingest process holds the lock; ``str()`` says where."""


def _crawl(
    config: Config, spider: type[Any], command: str, log_level: str, log_format: str, **args: Any
) -> None:
    from scrapy.settings import Settings

    from syndicator.cluster.connection import redis_url
    from syndicator.crawl import StoppingCrawlerProcess
    from syndicator.logs import partner_secrets, stderr_logging

    assert config.cluster is not None
    url, password = redis_url(config.cluster)
    secrets = [*partner_secrets(config), *([password] if password else [])]
    if config.cluster.redis_url_env:
        secrets.append(url)
    settings = Settings()
    settings.setmodule("syndicator.scrapy_settings", priority="project")
    settings.set("SYNDICATOR_CONFIG_OBJECT", config, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    with stderr_logging(log_format, log_level, secrets, context=lambda: {"command": command}):
        # SIGTERM stops it within seconds, as it does a one-process crawl: what a
        # worker holds goes back to the queue, ingest closes its runs row
        process = StoppingCrawlerProcess(settings, config.store_path)
        process.crawl(spider, **args)
        process.run()
    logging.getLogger("scrapy").handlers.clear()


def run_worker(
    config: Config, max_idle: float = 0, log_level: str = "WARNING", log_format: str = "text"
) -> None:
    """Pull requests from the shared queue until stopped (SIGTERM, Ctrl-C) or,
    with ``max_idle``, until there was nothing to do for that many seconds."""
    from spiders.worker import WorkerSpider

    _crawl(config, WorkerSpider, "worker", log_level, log_format, max_idle=max_idle)


def run_ingest(
    config: Config, drain: bool = False, log_level: str = "WARNING", log_format: str = "text"
) -> None:
    """Store what the workers push until stopped or, with ``drain``, until the
    cluster has nothing queued, in flight or waiting."""
    from spiders.ingest import LOCK_SECONDS, IngestSpider
    from syndicator.cluster.shared import Shared, worker_name

    assert config.cluster is not None
    owner = worker_name()
    shared = Shared(config.cluster)
    if not shared.lock_ingest(owner, LOCK_SECONDS):
        raise IngestLocked(f"another ingest holds {shared.ingest_lock}; not starting")
    _crawl(config, IngestSpider, "ingest", log_level, log_format, owner=owner, drain=drain)
