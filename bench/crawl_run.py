"""One measured ``syndicator crawl`` of a :class:`~bench.zyte_site.CorpusSite`, shared by
the throughput, memory and peers benchmarks."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.command import PUBLISHER
from bench.rss import Measured, run_measured
from bench.zyte_metric import REPO_ROOT

CONFIG = (
    PUBLISHER
    + """
[[sources]]
name = "zyte"
sitemaps = ["{sitemap}"]
{min_words}max_articles_per_run = 1000000
allow_networks = ["127.0.0.1/32"]
[sources.crawl]
delay = 0
concurrency_per_domain = 16
autothrottle = false
"""
)


@dataclass
class CrawlRun:
    measured: Measured
    workdir: Path
    articles: int  # rows stored

    @property
    def db(self) -> Path:
        return self.workdir / "bench.db"

    @property
    def pages_per_second(self) -> float:
        return self.articles / self.measured.seconds if self.measured.seconds else 0.0

    def rows(self, sql: str) -> list[tuple]:
        if not self.db.is_file():
            return []
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


def crawl(
    sitemap_url: str,
    workdir: Path | None = None,
    timeout: float = 3600.0,
    min_words: int | None = 1,
) -> CrawlRun:
    """Crawl the sitemap into a fresh store in ``workdir`` (a new temporary folder
    by default), measuring time, CPU and the process tree's peak memory.
    ``min_words`` 1 keeps every page (what throughput compares); None leaves the
    source's default."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="syndicator-bench-"))
    cfg = workdir / "syndicator.toml"
    minimum = f"min_words = {min_words}\n" if min_words is not None else ""
    cfg.write_text(CONFIG.format(sitemap=sitemap_url, min_words=minimum), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    args = [sys.executable, "-m", "syndicator", "--config", str(cfg), "--quiet", "crawl"]
    measured = run_measured(args, cwd=workdir, env=env, timeout=timeout)
    run = CrawlRun(measured, workdir, 0)
    run.articles = (run.rows("select count(*) from articles") or [(0,)])[0][0]
    return run
