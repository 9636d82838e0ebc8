"""Extraction has a budget, and a dead extraction process loses nothing silently.

A page whose extraction takes longer than ``[extraction] timeout`` or needs more
than ``max_memory_mb`` is dropped with reason ``extraction_budget``; an
extraction process that dies (SIGKILL, as the OOM killer does) is replaced and
its page tried once more, and a page that fails twice is in ``drops`` as
``extraction_failed`` and counted in the run's errors. In every case the crawl
ends in bounded time and the site's other pages are stored.

The crawls run the real ``syndicator crawl`` in a subprocess against a local
site (tests/hostile_server.py); the extraction processes are found among the
crawl's children in /proc and killed or stopped there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from syndicator.extraction_pool import ExtractionError, ExtractionPool
from tests.conftest import ROOT, query, write_config
from tests.hostile_server import HostileHandler, HostileServer, Route, static
from tests.test_hostile import XML, Crawl, page, sitemap

MB = 1 << 20
NORMAL = [f"/news/{i}/" for i in range(8)]
SITE_CRAWL = {
    "delay": 0,
    "autothrottle": False,
    "concurrency_per_domain": 16,
    "retries": 0,
    "timeout": 30,
    "max_response_bytes": 20 * MB,
}


def many_paragraphs(count: int) -> bytes:
    """Tiny paragraphs: trafilatura's time grows faster than their number
    (80,000 take some 9 s, 500,000 minutes)."""
    paragraphs = "".join(f"<p>w{i} x</p>" for i in range(count))
    return (
        "<!DOCTYPE html><html><head><title>Many</title></head><body><article>"
        f"<h1>Many paragraphs</h1>{paragraphs}</article></body></html>"
    ).encode()


def huge_table(side: int) -> bytes:
    """A side x side table: 500 x 500 (3 MB) needs some 500 MB to extract."""
    rows = ("<tr>" + "<td>a b</td>" * side + "</tr>") * side
    return (
        "<!DOCTYPE html><html><head><title>Table</title></head><body><article>"
        f"<h1>A big table</h1><table>{rows}</table></article></body></html>"
    ).encode()


def delayed(body: bytes, seconds: float) -> Route:
    """The page, after ``seconds``: it reaches the crawl while others are extracted."""
    send = static(body)

    def route(handler: HostileHandler) -> None:
        time.sleep(seconds)
        send(handler)

    return route


def site(routes: dict[str, Route]) -> HostileServer:
    """Eight ordinary stories at NORMAL plus ``routes``, all in /sitemap.xml."""
    server = HostileServer().start()
    for i, path in enumerate(NORMAL):
        server.add(path, static(page(100 + i).encode()))
    for path, route in routes.items():
        server.add(path, route)
    urls = [server.url + p for p in [*routes, *NORMAL]]
    server.add("/sitemap.xml", static(sitemap(urls), XML))
    return server


# -- the crawl's extraction processes, from /proc


def extraction_processes(parent: int) -> list[int]:
    """The spawned children of ``parent`` (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Signaller:
    """Sends ``signum`` to an extraction process busy with the heavy page (its
    resident memory over ``above_mb``, which no ordinary page takes it to),
    ``times`` times, each to a different process."""

    def __init__(self, signum: int, times: int, above_mb: float) -> None:
        self.signum, self.times, self.above_mb = signum, times, above_mb
        self.hit: list[int] = []

    def __call__(self, crawl_pid: int) -> None:
        for pid in extraction_processes(crawl_pid):
            if len(self.hit) < self.times and pid not in self.hit and rss_mb(pid) > self.above_mb:
                os.kill(pid, self.signum)
                self.hit.append(pid)


def crawl(
    tmp_path: Path,
    server: HostileServer,
    extraction: dict[str, Any],
    watch: Callable[[int], None] | None = None,
    limit: float = 150,
) -> Crawl:
    """Crawl the site with ``[extraction]`` set to ``extraction``; ``watch(pid)``
    is called every 0.1 s while the crawl runs."""
    config = write_config(
        tmp_path / "c.toml",
        [
            {
                "name": "site",
                "sitemaps": [f"{server.url}/sitemap.xml"],
                "min_words": 10,
                "crawl": SITE_CRAWL,
            }
        ],
    )
    with config.open("a") as out:
        out.write("\n[extraction]\n" + "".join(f"{k} = {v}\n" for k, v in extraction.items()))
    started = time.monotonic()
    with (tmp_path / "out").open("w+") as out, (tmp_path / "err").open("w+") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "syndicator", "--config", str(config), "crawl"],
            cwd=ROOT,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: a hang is killed whole
        )
        while process.poll() is None:
            if time.monotonic() - started > limit:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                err.seek(0)
                pytest.fail(
                    f"the crawl did not end in {limit:.0f} s; stderr:\n{err.read()[-3000:]}"
                )
            if watch is not None:
                watch(process.pid)
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        result = Crawl(
            process.returncode,
            out.read(),
            err.read(),
            time.monotonic() - started,
            float("nan"),
            tmp_path / "store.db",
        )
    print(f"\ncrawl: {result.seconds:.1f} s; {result.summary()}")
    return result


def run_counts(result: Crawl) -> dict[str, Any]:
    import json

    runs = query(result.db, "select status, counts from runs where command = 'crawl'")
    assert len(runs) == 1, runs
    return {"status": runs[0]["status"], **json.loads(runs[0]["counts"])}


def assert_others_stored(result: Crawl, server: HostileServer) -> None:
    """The site's ordinary stories are stored, and the log tells of the bad page
    in lines an operator reads, not in tracebacks."""
    for path in NORMAL:
        assert result.outcome(server.url + path) == "stored", (path, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


# -- budgets ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_page_over_the_time_budget_is_dropped_and_the_crawl_goes_on(tmp_path: Path) -> None:
    """500,000 tiny paragraphs (5 MB) would take minutes; with a 2 s budget the
    page is dropped with its reason and the crawl ends soon after."""
    server = site({"/many/": static(many_paragraphs(500_000))})
    try:
        result = crawl(tmp_path, server, {"timeout": 2}, limit=120)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert_others_stored(result, server)
    assert result.outcome(server.url + "/many/") == (
        "dropped extraction_budget: extraction took longer than 2 s (the [extraction] timeout)"
    )
    counts = run_counts(result)
    assert counts["status"] == "ok"
    assert counts["drop_reasons"] == {"extraction_budget": 1}
    assert counts["errors"] == 0


@pytest.mark.slow
def test_a_page_over_the_memory_budget_is_dropped_and_the_crawl_goes_on(tmp_path: Path) -> None:
    """A 3 MB table needs some 500 MB to extract: over a 256 MB budget it is
    dropped with its reason, without the extraction process growing past it."""
    server = site({"/table/": static(huge_table(500))})
    try:
        result = crawl(tmp_path, server, {"timeout": 120, "max_memory_mb": 256})
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert_others_stored(result, server)
    assert result.outcome(server.url + "/table/") == (
        "dropped extraction_budget: extraction needed more than 256 MB "
        "(the [extraction] max_memory_mb)"
    )
    assert run_counts(result)["drop_reasons"] == {"extraction_budget": 1}


@pytest.mark.slow
def test_an_extraction_process_that_stops_answering_is_killed(tmp_path: Path) -> None:
    """An extraction process stuck where no signal reaches it (here: stopped
    with SIGSTOP) is killed by the crawl at the timeout and a little more; its
    page is dropped with the budget's reason and a new process takes the rest."""
    heavy = many_paragraphs(120_000)  # some 20 s, 200 MB resident
    routes = {"/heavy/": static(heavy)}
    routes.update({f"/late/{i}/": delayed(page(200 + i).encode(), 2 + i) for i in range(6)})
    server = site(routes)
    stopper = Signaller(signal.SIGSTOP, times=1, above_mb=180)
    try:
        result = crawl(tmp_path, server, {"timeout": 10}, watch=stopper, limit=120)
    finally:
        server.stop()
    assert stopper.hit, "the heavy page never reached an extraction process"
    assert result.returncode == 0, result.stderr[-3000:]
    assert_others_stored(result, server)
    for i in range(6):
        assert result.outcome(f"{server.url}/late/{i}/") == "stored"
    assert result.outcome(server.url + "/heavy/").startswith("dropped extraction_budget: ")
    assert not Path(f"/proc/{stopper.hit[0]}").exists()


# -- a dead extraction process ------------------------------------------------------


@pytest.mark.slow
def test_a_killed_extraction_process_loses_no_page_silently(tmp_path: Path) -> None:
    """The process extracting the heavy page is SIGKILLed, and so is the one
    that tries it again: every other page (most of them reach the crawl
    after the kills) is stored, and the heavy page is in drops and counted
    as an error in the summary."""
    routes = {"/heavy/": static(many_paragraphs(120_000))}
    routes.update({f"/late/{i}/": delayed(page(300 + i).encode(), 2 + 2 * i) for i in range(8)})
    server = site(routes)
    killer = Signaller(signal.SIGKILL, times=2, above_mb=180)
    try:
        result = crawl(tmp_path, server, {"timeout": 120}, watch=killer)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert_others_stored(result, server)
    for i in range(8):
        assert result.outcome(f"{server.url}/late/{i}/") == "stored", result.stderr[-2000:]
    assert len(killer.hit) == 2, f"killed {len(killer.hit)} extraction processes, not 2"
    outcome = result.outcome(server.url + "/heavy/")
    assert outcome == (
        "dropped extraction_failed: the extraction process died twice on this page "
        "(killed by SIGKILL)"
    )
    # and it is fetched again next run
    assert (result.fetch_error(server.url + "/heavy/") or "").startswith("extraction_failed: ")
    counts = run_counts(result)
    assert counts["errors"] == 1
    assert ", 1 error;" in result.summary() or result.summary().endswith(", 1 error"), (
        result.summary()
    )


def test_a_page_whose_extraction_process_died_is_extracted_again() -> None:
    """Killed once, the page is tried again in a new process and extracted;
    the pages queued behind it are extracted too."""
    url = "https://news.example/story/"

    async def main() -> None:
        pool = ExtractionPool(1, timeout=120)
        try:
            heavy = asyncio.ensure_future(pool.extract(many_paragraphs(80_000).decode(), url))
            others = [
                asyncio.ensure_future(pool.extract(page(400 + i), f"{url}{i}/")) for i in range(4)
            ]
            killer = Signaller(signal.SIGKILL, times=1, above_mb=120)
            deadline = time.monotonic() + 60
            while not killer.hit and not heavy.done() and time.monotonic() < deadline:
                killer(os.getpid())
                await asyncio.sleep(0.1)
            assert killer.hit, "the heavy page never reached an extraction process"
            assert "w79999 x" in (await heavy)["body_text"]
            for other in others:
                assert (await other)["body_text"]
            # and the pool goes on
            assert (await pool.extract(page(500), url))["body_text"]
        finally:
            pool.close()

    asyncio.run(asyncio.wait_for(main(), 150))


def test_a_page_that_breaks_extraction_is_an_error_not_a_lost_page() -> None:
    """extract_page raising (a bug) is a one-line ExtractionError for that page;
    the worker carries on."""

    async def main() -> None:
        pool = ExtractionPool(1)
        try:
            with pytest.raises(ExtractionError) as raised:
                await pool.extract(None, "https://news.example/")  # type: ignore[arg-type]
            assert raised.value.reason == "extraction_failed"
            assert raised.value.detail.startswith("extraction failed: TypeError: ")
            result = await pool.extract(page(600), "https://news.example/a/")
            assert result["body_text"]
        finally:
            pool.close()

    asyncio.run(asyncio.wait_for(main(), 60))
