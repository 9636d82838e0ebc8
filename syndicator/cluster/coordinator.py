"""The coordinator's crawl: seed the shared queue, wait until the cluster has
drained it, and report what the store got (``syndicator crawl`` and ``run``
with ``[cluster]``).

The coordinator owns the SQLite store with ingest: it reads the validators
(ETag, Last-Modified) of feeds, sitemaps and sections and the articles due
for a recheck from it, and puts them in the seeds, so workers need no store.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any

from syndicator.cluster.queue import dumps, score
from syndicator.cluster.shared import Shared, fingerprint
from syndicator.config import Config
from syndicator.dates import utc_now
from syndicator.store import Store
from syndicator.teaser_learning import learned_places

logger = logging.getLogger("syndicator.cluster")
POLL = 0.5  # seconds between looks at the queues
DISCOVERY_PRIORITY = 10  # as the sources spider's: discovery before article pages


def seeds(config: Config, store: Store, names: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """What the sources spider's start() would request, as seeds for workers."""
    out: list[dict[str, Any]] = []

    def seed(kind: str, url: str, source: str, **extra: Any) -> None:
        state = store.fetch_state(url) or {}
        validators = {k: state.get(k) for k in ("etag", "last_modified") if state.get(k)}
        out.append({"seed": kind, "url": url, "source": source, **validators, **extra})

    schedule = [(r.max_age_days, r.every_hours) for r in config.dedup.recheck]
    for source in config.enabled_sources(names):
        for url in source.feeds:
            seed("feed", url, source.name)
        for url in source.sitemaps:
            seed("sitemap", url, source.name)
        remembered = store.discovered_sitemaps(
            source.name, exclude=source.sitemaps, limit=source.max_sitemaps_per_run
        )
        for url in remembered:
            seed("sitemap", url, source.name)
        for url in store.due_for_recheck(source.name, schedule):
            seed("recheck", url, source.name)
        for url in source.sections:
            seed("section", url, source.name, depth=1)
    return out


def push_seeds(shared: Shared, run_id: int, found: list[dict[str, Any]]) -> None:
    """Start a run: its id, fresh per-run counts, and the seeds."""
    shared.new_run(run_id)
    shared.prune_fingerprints()
    for item in found:
        if item["seed"] == "recheck":
            shared.push(dumps(item), score(0))
            continue
        # marked as seen for this run, so a sitemap also listed in its index is fetched once
        shared.seen(fingerprint(item["url"], item["seed"], run=str(run_id)))
        shared.push(dumps(item), score(DISCOVERY_PRIORITY))


def wait_until_drained(shared: Shared, timeout: float) -> str | None:
    """Wait until nothing is queued, in flight or waiting for ingest (seen
    twice in a row); None then, else why not within ``timeout`` seconds."""
    started = time.monotonic()
    calm, noted, told = 0, started, set()
    while True:
        backlog = shared.backlog()
        calm = 0 if any(backlog.values()) else calm + 1
        if calm >= 2:
            return None
        waited = time.monotonic() - started
        if waited > timeout:
            return (
                f"the cluster did not finish within {timeout:.0f} s: {backlog['queued']} "
                f"requests queued, {backlog['in_flight']} in flight, "
                f"{backlog['items']} items waiting for ingest"
            )
        if waited > 10:
            if "workers" not in told and not shared.live_workers():
                told.add("workers")
                logger.warning("no worker is running: start `syndicator crawl --worker`")
            if "ingest" not in told and not shared.redis.exists(shared.ingest_lock):
                told.add("ingest")
                logger.warning("no ingest is running: start `syndicator ingest`")
        if time.monotonic() - noted > 10:
            noted = time.monotonic()
            logger.info("waiting for the cluster: %s", backlog)
        time.sleep(POLL)


def counts_since(store: Store, since: str) -> dict[str, Any]:
    """The crawl's counts, from what the store got since the run began."""

    def one(sql: str) -> int:
        return int(store.db.execute(sql, [since] * sql.count("?")).fetchone()[0])

    reasons = dict(
        store.db.execute(
            "select reason, count(*) from drops where at >= ? group by reason", [since]
        ).fetchall()
    )
    fetch_errors = one(
        "select count(*) from fetch_state where fetched_at >= ? and kind != 'article' "
        "and error is not null"
    )
    return {
        "new": one(
            "select count(*) from articles where first_seen_at >= ? and duplicate_of is null"
        ),
        "duplicates": one(
            "select count(*) from articles where first_seen_at >= ? and duplicate_of is not null"
        ),
        "updated": one("select count(distinct article_id) from revisions where replaced_at >= ?"),
        "unchanged": one(
            "select count(*) from articles where last_seen_at >= ? and changed_at < ?"
        ),
        "dropped": sum(n for reason, n in reasons.items() if reason != "fetch_failed"),
        "errors": reasons.get("fetch_failed", 0) + fetch_errors,
        "drop_reasons": reasons,
        "failed_sources": failed_sources_since(store, since),
    }


def failed_sources_since(store: Store, since: str) -> list[str]:
    """Sources none of whose fetches got an answer since ``since`` while some
    failed: the rule of a one-process crawl's counts (see
    :func:`pipelines.store.crawl_counts`), read from the ``fetch_state`` rows
    the workers' answers were written to."""
    rows = store.db.execute(
        """select source from fetch_state
           where fetched_at >= ? and source is not null
           group by source
           having sum(status is not null and status < 400) = 0
              and sum(status is null or status >= 400) > 0
           order by source""",
        [since],
    ).fetchall()
    return [source for (source,) in rows]


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped(signum)


def run_cluster_crawl(
    config: Config,
    sources: list[str] | tuple[str, ...] = (),
    log_level: str = "WARNING",
    log_format: str = "text",
) -> dict[str, Any]:
    """Seed, wait, count: the run's row from the ``runs`` table, counts decoded
    (the same shape as :func:`syndicator.crawl.run_crawl`'s).

    SIGTERM or SIGINT while waiting closes the run's row as ``interrupted``
    with the counts so far, prints the summary line on stderr and ends the
    process by the signal, as a one-process crawl does; what is still queued
    stays for the workers."""
    from syndicator.crawl import end_by_signal, summary_line
    from syndicator.logs import stderr_logging

    assert config.cluster is not None
    for name in sources:
        config.source(name)  # unknown names are a config error, before anything starts
    shared = Shared(config.cluster)
    store = Store(config.store_path)
    run_id = None
    context = lambda: {"command": "crawl", "run_id": run_id}  # noqa: E731
    started, stopped_by = time.monotonic(), None
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with stderr_logging(log_format, log_level, context=context):
            since = utc_now()
            run_id = store.start_run("crawl")
            try:
                shared.share_teaser_places(
                    {s.name: learned_places(store, s.name) for s in config.sources}
                )
                push_seeds(shared, run_id, seeds(config, store, sources))
                error = wait_until_drained(shared, config.cluster.wait_timeout)
            except _Stopped as stop:
                stopped_by, error = stop.signum, f"stopped by {stop}"
            # what the store got, and what only the workers know: the requests they
            # sent, the article pages over a source's cap (counted in Redis)
            counts = {**counts_since(store, since), **shared.run_counts()}
            if not error and counts["failed_sources"]:
                error = "no page could be fetched from " + ", ".join(counts["failed_sources"])
            status = "interrupted" if stopped_by else "failed" if error else "ok"
            store.finish_run(run_id, status, counts, error)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        store.close()
    run = {"id": run_id, "command": "crawl", "status": status, "counts": counts, "error": error}
    if stopped_by is not None:
        line = summary_line(run, time.monotonic() - started, str(config.store_path))
        print(line, file=sys.stderr, flush=True)
        end_by_signal(stopped_by)
    return run
