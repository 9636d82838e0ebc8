"""Pages per second of a cluster crawl with 1, 2 and 3 workers.

    python -m bench.cluster [--pages 300] [--workers 1,2,3] [--latency 0.1]

A local site answers every request after ``--latency`` seconds (100 ms), so
one worker is bound by waiting, not by the CPU, and what more workers add is
parallel fetching. Each worker keeps ``worker_concurrency = 2`` requests in
flight; the site allows 8 at once (``concurrency_per_domain``), which the
workers share through Redis. For each worker count: a fresh store and key
prefix, the workers and one ingest started and ready (their start-up is not
timed), then the coordinator's crawl (seed, fetch, extract, store) timed
until the queues are drained. Every article must be stored, each fetched once.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from syndicator.cluster.coordinator import run_cluster_crawl
from syndicator.cluster.shared import Shared
from syndicator.config import load_config
from tests.cluster_site import ArticleSite
from tests.conftest import ROOT, query, write_config
from tests.redis_server import RedisServer

WORKER_CONCURRENCY = 2
SITE_CONCURRENCY = 8


def measure(folder: Path, redis: RedisServer, site: ArticleSite, workers: int) -> float:
    """Seconds from seeding to drained, with ``workers`` workers ready."""
    source = {
        "name": "times",
        "sitemaps": [f"{site.url}/sitemap.xml"],
        "min_words": 50,
        "crawl": {"concurrency_per_domain": SITE_CONCURRENCY},
    }
    config_path = write_config(folder / "cluster.toml", [source])
    with config_path.open("a") as out:
        out.write(
            f'\n[cluster]\nredis_url = "{redis.url}"\nkey_prefix = "bench{workers}"\n'
            f"worker_concurrency = {WORKER_CONCURRENCY}\nextract_processes = 1\n"
        )
    config = load_config(config_path)
    assert config.cluster is not None
    command = [sys.executable, "-m", "syndicator", "--config", str(config_path)]
    logs = (folder / "processes.log").open("wb")
    processes = [
        subprocess.Popen([*command, "crawl", "--worker"], cwd=ROOT, stderr=logs)
        for _ in range(workers)
    ]
    processes.append(subprocess.Popen([*command, "ingest"], cwd=ROOT, stderr=logs))
    try:
        shared = Shared(config.cluster)
        deadline = time.monotonic() + 60
        while shared.live_workers() < workers or not shared.redis.exists(shared.ingest_lock):
            if time.monotonic() > deadline:
                raise SystemExit(f"the workers did not start: see {folder / 'processes.log'}")
            time.sleep(0.1)
        site.requests.clear()
        started = time.monotonic()
        run = run_cluster_crawl(config)
        elapsed = time.monotonic() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    stored = query(folder / "store.db", "select count(*) as n from articles")[0]["n"]
    fetches = site.article_fetches()
    if run["status"] != "ok" or stored != site.pages or set(fetches.values()) != {1}:
        fetched = sum(fetches.values())
        raise SystemExit(f"{workers} workers: {run}, {stored} stored, {fetched} fetches")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per page")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        root = Path(tmp)
        with RedisServer(root / "redis") as redis:
            print(
                f"{args.pages} pages, {args.latency * 1000:.0f} ms per page, "
                f"{WORKER_CONCURRENCY} in flight per worker, {SITE_CONCURRENCY} per site"
            )
            print(f"{'workers':>7} {'seconds':>8} {'pages/s':>8} {'limit':>6} {'ratio':>6}")
            first = None
            for workers in counts:
                folder = root / f"w{workers}"
                folder.mkdir()
                with ArticleSite(args.pages, delay=args.latency) as site:
                    seconds = measure(folder, redis, site, workers)
                rate = args.pages / seconds
                first = first or rate
                # what waiting alone allows: requests in flight over the latency
                limit = min(workers * WORKER_CONCURRENCY, SITE_CONCURRENCY) / args.latency
                print(
                    f"{workers:>7} {seconds:>8.2f} {rate:>8.1f} {limit:>6.0f} {rate / first:>6.2f}"
                )


if __name__ == "__main__":
    main()
