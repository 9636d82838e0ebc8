"""Distributed crawling (``[cluster]``): real ``redis-server``, real worker,
ingest and coordinator processes, a local site that counts every fetch.

- three workers and one ingest crawl a 2,000-page site: every article page is
  fetched exactly once across the workers and stored once; the next run
  fetches none of them again;
- a worker SIGKILLed half way loses nothing: its in-flight requests go to
  the others, and every article is stored once;
- Redis stopped for a few seconds mid-crawl: the workers log one clear line,
  wait, and the crawl completes;
- a site's delay and concurrency hold for all workers together.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndicator.cluster.shared import Shared, fingerprint
from syndicator.config import Cluster, ConfigError, load_config
from tests.cluster_site import ArticleSite
from tests.conftest import ROOT, query, write_config
from tests.redis_server import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def cluster_config(
    tmp_path: Path,
    redis: RedisServer,
    site: ArticleSite,
    crawl: dict[str, Any] | None = None,
    source_settings: dict[str, Any] | None = None,
    **cluster: Any,
) -> Path:
    source: dict[str, Any] = {
        "name": "times",
        "sitemaps": [f"{site.url}/sitemap.xml"],
        "min_words": 50,
        **(source_settings or {}),
    }
    if crawl:
        source["crawl"] = crawl
    config = write_config(tmp_path / "cluster.toml", [source])
    settings = {
        "redis_url": redis.url,
        "key_prefix": "test",
        "worker_concurrency": 8,
        "extract_processes": 1,
        # generous: on a loaded 2-core machine a live worker can miss a few 1 s heartbeats,
        # and a lapsed one has its in-flight requests fetched again by another worker
        "worker_timeout": 10,
        "wait_timeout": 240,
        **cluster,
    }
    with config.open("a") as out:
        out.write("\n[cluster]\n")
        out.writelines(f"{k} = {v!r}\n".replace("'", '"') for k, v in settings.items())
    return config


class Processes:
    """Workers and ingest as real processes, their logs in files."""

    def __init__(self, config: Path, folder: Path) -> None:
        self.config, self.folder = config, folder
        self.workers: list[subprocess.Popen[bytes]] = []
        self.ingest: subprocess.Popen[bytes] | None = None

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "syndicator", "--config", str(self.config), *args]
        log = (self.folder / f"{name}.log").open("wb")
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def start(self, workers: int) -> Processes:
        for n in range(workers):
            self.workers.append(self._start(f"worker{n}", "crawl", "--worker"))
        self.ingest = self._start("ingest", "ingest")
        return self

    def coordinate(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "syndicator", "--config", str(self.config), *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        running = [p for p in [*self.workers, self.ingest] if p and p.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Any]:
    started: list[Processes] = []

    def make(config: Path, workers: int) -> Processes:
        started.append(Processes(config, tmp_path).start(workers))
        return started[-1]

    yield make
    for group in started:
        group.stop()


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def assert_stored_once(db: Path, site: ArticleSite) -> None:
    rows = query(db, "select url, count(*) as n from articles group by url")
    assert {row["url"] for row in rows} == {site.url + path for path in site.article_paths()}
    assert {row["n"] for row in rows} == {1}
    # a page fetched twice is "unchanged" the second time: no revision, no copy
    assert query(db, "select count(*) as n from revisions") == [{"n": 0}]
    assert query(db, "select count(*) as n from articles where duplicate_of is not null") == [
        {"n": 0}
    ]


def test_three_workers_fetch_every_article_once(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    with ArticleSite(2000) as site:
        config = cluster_config(tmp_path, redis_server, site)
        cluster = processes(config, workers=3)
        started = time.monotonic()
        crawl = cluster.coordinate("crawl")
        elapsed = time.monotonic() - started
        assert crawl.returncode == 0, crawl.stderr
        assert "crawl finished; 2000 new" in crawl.stdout
        fetches = site.article_fetches()
        assert set(fetches) == set(site.article_paths())
        assert set(fetches.values()) == {1}, [p for p, n in fetches.items() if n > 1][:10]
        assert_stored_once(tmp_path / "store.db", site)
        # the work was shared: every worker stored something
        for n in range(3):
            scraped = re.search(r"'item_scraped_count': (\d+)", cluster.log(f"worker{n}") or "")
            assert scraped is None or int(scraped.group(1)) > 0
        # the next run reads the sitemaps again, and fetches no known article
        again = cluster.coordinate("run")
        assert again.returncode == 0, again.stderr
        assert site.article_fetches() == fetches
        runs = query(
            tmp_path / "store.db", "select command, status from runs where command != 'ingest'"
        )
        assert runs == [
            {"command": "crawl", "status": "ok"},
            {"command": "crawl", "status": "ok"},
            {"command": "publish", "status": "ok"},
        ]
        print(f"2,000 pages with 3 workers in {elapsed:.1f} s")


def test_killed_worker_loses_nothing(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    with ArticleSite(2000) as site:
        config = cluster_config(tmp_path, redis_server, site)
        cluster = processes(config, workers=3)
        result: list[subprocess.CompletedProcess[str]] = []
        coordinator = threading.Thread(target=lambda: result.append(cluster.coordinate("crawl")))
        coordinator.start()
        wait_for(lambda: len(site.article_fetches()) >= 1000, 120, "half the site")
        victim = cluster.workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        coordinator.join(timeout=240)
        assert result and result[0].returncode == 0, result and result[0].stderr
        fetches = site.article_fetches()
        assert set(fetches) == set(site.article_paths())
        # only what the killed worker held was fetched again: what it downloads at
        # once (worker_concurrency 8) and two pages per extraction process (1)
        assert sum(fetches.values()) - 2000 <= 8 + 2
        assert_stored_once(tmp_path / "store.db", site)
        survivors = cluster.log("worker1") + cluster.log("worker2")
        assert "requeued the requests of a worker that stopped answering" in survivors


def test_redis_outage_makes_workers_wait_and_resume(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    with ArticleSite(1000) as site:
        config = cluster_config(tmp_path, redis_server, site, worker_timeout=15)
        cluster = processes(config, workers=2)
        result: list[subprocess.CompletedProcess[str]] = []
        coordinator = threading.Thread(target=lambda: result.append(cluster.coordinate("crawl")))
        coordinator.start()
        wait_for(lambda: len(site.article_fetches()) >= 300, 120, "a third of the site")
        redis_server.restart(down_for=3)
        coordinator.join(timeout=240)
        assert result and result[0].returncode == 0, result and result[0].stderr
        assert all(worker.poll() is None for worker in cluster.workers), "a worker crashed"
        assert set(site.article_fetches()) == set(site.article_paths())
        assert_stored_once(tmp_path / "store.db", site)
        down = rf"redis unavailable at redis://127\.0\.0\.1:{redis_server.port} \([^)\n]+\); retrying in 2 s\n"
        back = rf"redis back at redis://127\.0\.0\.1:{redis_server.port} after \d+ s\n"
        said = []
        for worker in ("worker0", "worker1"):
            log = cluster.log(worker)
            assert "Traceback" not in log
            # one line when Redis goes (a worker that sent nothing meanwhile never noticed),
            # one when it is back
            assert len(re.findall(down, log)) == len(re.findall(back, log)) <= 1, log[-2000:]
            said += re.findall(down, log)
        assert said, "no worker said that Redis was gone"


class TimedSite(ArticleSite):
    """Records when each request starts and how many are in flight at once."""

    def __init__(self, pages: int) -> None:
        super().__init__(pages)
        self.starts: list[float] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        self.hook = self._timed

    def _timed(self, path: str) -> Any:
        with self.lock:
            self.starts.append(time.monotonic())
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.05)
        with self.lock:
            self.in_flight -= 1
        return self._answer(path)


def test_a_sites_delay_and_concurrency_hold_across_workers(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    delay = 0.3
    with TimedSite(12) as site:
        config = cluster_config(
            tmp_path, redis_server, site, crawl={"delay": delay, "concurrency_per_domain": 1}
        )
        cluster = processes(config, workers=2)
        crawl = cluster.coordinate("crawl")
        assert crawl.returncode == 0, crawl.stderr
        assert "12 new" in crawl.stdout
        assert site.most_in_flight == 1
        gaps = [b - a for a, b in zip(site.starts, site.starts[1:], strict=False)]
        assert len(site.starts) >= 12 + 3  # the articles, the sitemaps, robots.txt
        assert min(gaps) >= delay - 0.02, sorted(gaps)[:3]
        # both workers' requests are counted, robots.txt (once per worker) too
        [counts] = query(tmp_path / "store.db", "select counts from runs where command = 'crawl'")
        assert json.loads(counts["counts"])["requests"] == len(site.requests)
        assert f"; {len(site.requests)} requests, 0 postponed" in crawl.stdout


def test_cluster_runs_count_requests_and_postponed_pages(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    """As in a one-process crawl's row: ``requests`` is every request sent,
    ``postponed`` the article pages over the source's max_articles_per_run;
    the next run fetches those, and its counts start from 0."""
    with ArticleSite(20) as site:
        config = cluster_config(
            tmp_path, redis_server, site, source_settings={"max_articles_per_run": 15}
        )
        cluster = processes(config, workers=1)
        first = cluster.coordinate("crawl")
        assert first.returncode == 0, first.stderr
        served = len(site.requests)
        assert served == 1 + 3 + 15  # robots.txt, the sitemap index and its sitemaps, the cap
        assert "crawl finished; 15 new" in first.stdout
        assert "; 19 requests, 5 postponed" in first.stdout
        second = cluster.coordinate("crawl")
        assert second.returncode == 0, second.stderr
        again = len(site.requests) - served
        assert "crawl finished; 5 new" in second.stdout
        assert f"; {again} requests, 0 postponed" in second.stdout
        assert set(site.article_fetches().values()) == {1}
    runs = query(tmp_path / "store.db", "select counts from runs where command = 'crawl'")
    counts = [json.loads(run["counts"]) for run in runs]
    assert [(c["new"], c["requests"], c["postponed"]) for c in counts] == [
        (15, 19, 5),
        (5, again, 0),
    ]


def test_fingerprints_expire_and_are_pruned(redis_server: RedisServer) -> None:
    cluster = Cluster(redis_url=redis_server.url, key_prefix="fp", fingerprint_ttl_hours=1 / 3600)
    shared = Shared(cluster)
    fp = fingerprint("http://site.example/a/1/", "article", date="2026-11-18")
    assert fingerprint("http://site.example/a/1/", "article", date="2026-11-19") != fp
    assert not shared.seen(fp) and shared.seen(fp)
    time.sleep(1.1)
    assert not shared.seen(fp)  # expired: counted as new again
    shared.seen(fingerprint("http://site.example/a/2/", "article"))
    time.sleep(1.1)
    assert shared.prune_fingerprints() == 2
    assert shared.redis.zcard(shared.fingerprints) == 0


def test_ingest_takes_up_what_a_dead_ingest_had_taken(redis_server: RedisServer) -> None:
    shared = Shared(Cluster(redis_url=redis_server.url, key_prefix="in"))
    shared.ack(None, b"1", b"2", b"3")
    assert shared.take_items(2, 0.1) == [b"1", b"2"]  # ... and the process dies here
    assert shared.recover_items() == 2
    assert shared.take_items(10, 0.1) == [b"1", b"2", b"3"]
    shared.items_done()
    assert shared.drained()


def test_a_pop_whose_answer_redis_lost_is_put_back(redis_server: RedisServer) -> None:
    """Redis ran a worker's pop but the answer never arrived (the connection
    dropped as Redis went down): the request sits under a worker that lives on
    without it, which no heartbeat lapse frees. After the outage the worker
    puts back what Redis says it holds and it does not know of."""
    shared = Shared(Cluster(redis_url=redis_server.url, key_prefix="lost"))
    shared.push(b"kept", 1.0)
    shared.push(b"lost", 2.0)
    assert shared.pop("w1") is not None  # held: the worker knows of it
    keys = [shared.requests, shared.processing, shared.owners]
    shared._pop(keys=keys, args=["w1"])  # the same script, its answer dropped
    assert shared.backlog()["queued"] == 0 and shared.backlog()["in_flight"] == 2
    assert shared.requeue_unheld("w2") == 0  # another worker's are not touched
    assert shared.requeue_unheld("w1") == 1
    assert shared.pop("w1")[1] == b"lost"  # type: ignore[index]
    assert shared.backlog()["in_flight"] == 2


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('redis_url = "redis://:hunter2@127.0.0.1/0"', "must not carry a user name or password"),
        ('redis_url = "redis://127.0.0.1/0"\npassword = "hunter2"', "password_env"),
        ('redis_url = "http://127.0.0.1/"', "not a redis://"),
        ('key_prefix = "x"', "exactly one of redis_url and redis_url_env"),
    ],
)
def test_cluster_config_refuses_secrets_and_bad_urls(
    tmp_path: Path, table: str, problem: str
) -> None:
    config = write_config(tmp_path / "c.toml", [])
    config.write_text(config.read_text() + f"\n[cluster]\n{table}\n")
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    assert problem in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_worker_and_ingest_need_the_cluster_table(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", [])
    for args in (["crawl", "--worker"], ["ingest"]):
        command = [sys.executable, "-m", "syndicator", "--config", str(config), *args]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert "needs a [cluster] table" in done.stderr


def test_a_source_that_fails_entirely_fails_the_cluster_run(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    """As in a one-process crawl: every page of a source failing makes the run
    "failed", names the source, and the other sources are still crawled."""
    with ArticleSite(40) as site:
        config = cluster_config(tmp_path, redis_server, site, wait_timeout=40)
        with config.open("a") as out:  # a second source, at a port nothing listens on
            out.write(
                '\n[[sources]]\nname = "down"\nsitemaps = ["http://127.0.0.1:1/sitemap.xml"]\n'
                'allow_networks = ["127.0.0.1/32"]\n'
            )
        cluster = processes(config, workers=1)
        crawl = cluster.coordinate("crawl")
    assert crawl.returncode == 1, crawl.stderr
    assert_stored_once(tmp_path / "store.db", site)
    runs = query(
        tmp_path / "store.db", "select status, error, counts from runs where command = 'crawl'"
    )
    assert [(r["status"], r["error"]) for r in runs] == [
        ("failed", "no page could be fetched from down")
    ]
    assert json.loads(runs[0]["counts"])["failed_sources"] == ["down"]


def test_sigterm_stops_every_cluster_process_within_seconds(
    tmp_path: Path, redis_server: RedisServer, processes: Any
) -> None:
    """A site that takes 50 s per answer: Scrapy's graceful stop would wait for
    what is in flight. A worker and ingest end within seconds of SIGTERM, and
    the coordinator closes its run's row as interrupted, says so in one line
    and ends by the signal, as a one-process crawl does."""
    with ArticleSite(20, delay=50) as site:
        config = cluster_config(tmp_path, redis_server, site, crawl={"timeout": 60})
        cluster = processes(config, workers=1)
        command = [sys.executable, "-m", "syndicator", "--config", str(config), "crawl"]
        coordinator = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            shared = Shared(load_config(config).cluster)  # type: ignore[arg-type]
            wait_for(lambda: shared.backlog()["in_flight"] > 0, 60, "a request in flight")
            for process in (cluster.workers[0], cluster.ingest):
                assert process is not None
                started = time.monotonic()
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
                assert time.monotonic() - started < 20, "SIGTERM took too long"
            started = time.monotonic()
            coordinator.send_signal(signal.SIGTERM)
            _, stderr = coordinator.communicate(timeout=60)
            assert time.monotonic() - started < 10
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
                coordinator.communicate()
    assert coordinator.returncode == -signal.SIGTERM
    assert "crawl interrupted: stopped by SIGTERM" in stderr, stderr
    assert "Traceback" not in stderr + cluster.log("worker0") + cluster.log("ingest")
    runs = query(tmp_path / "store.db", "select command, status, error from runs")
    statuses = {r["command"]: (r["status"], r["error"]) for r in runs}
    assert statuses["crawl"] == ("interrupted", "stopped by SIGTERM")
    assert statuses["ingest"][0] == "interrupted"
