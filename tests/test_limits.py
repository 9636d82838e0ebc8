"""Limits a source cannot push a crawl past, refusals that leave a trace, and a
crawl that stops when told to.

- Sitemap indexes: nested no deeper than a source's ``sitemap_depth``, no more
  than ``max_sitemaps_per_run`` sitemaps a run (the newest first, the rest in a
  later run), and no more than that many remembered for the next run. What is
  left out is a ``drops`` row (reason ``over_limit``) naming the config key.
- Every request Scrapy or syndicator refuses (an over-long URL, a document
  nested too deep to read) leaves one line in ``drops`` or ``fetch_state.error``.
- SIGTERM ends ``syndicator run`` within seconds, however slow the site and
  however long the configured delay: the run's row is closed, what was stored
  stays stored, the lock is free and one line says the crawl was stopped.

The hostile sites and the crawl runner are tests/test_hostile.py's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

import pytest
from filelock import FileLock

from syndicator.config import MAX_DELAY
from tests import test_cluster, test_hostile
from tests.conftest import ROOT, query, write_config
from tests.hostile_server import HostileHandler, HostileServer, Route, static, trickle_body
from tests.redis_server import RedisServer
from tests.test_cluster import cluster_config
from tests.test_hostile import XML, Crawl, SiteFactory, good_page, page, run_crawl, sitemap

# the fixtures of the hostile sites and of the cluster's processes, shared
hostile_site = test_hostile.hostile_site
redis_server = test_cluster.redis_server
processes = test_cluster.processes

# ---------------------------------------------------------------------------
# helpers


def deep_feed(nesting: int) -> bytes:
    """An RSS feed with one item whose description nests ``nesting`` elements
    deep: feedparser takes most of a minute over a million."""
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title><item>'
        b"<title>a</title><link>http://127.0.0.1:9/a</link><description>"
        + b"<x>" * nesting
        + b"</x>" * nesting
        + b"</description></item></channel></rss>"
    )


def start_run(config: Path) -> subprocess.Popen[str]:
    """``syndicator run`` in its own process group, so a hang can be killed whole."""
    return subprocess.Popen(
        [sys.executable, "-m", "syndicator", "--config", str(config), "run"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def sitemap_index(entries: list[tuple[str, str | None]]) -> bytes:
    """A sitemap index listing (url, lastmod) pairs."""
    items = "".join(
        f"<sitemap><loc>{xml_escape(url)}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</sitemap>"
        for url, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def conditional(make: Callable[[], bytes], content_type: str = XML, etag: str = '"v1"') -> Route:
    """A document with an ETag that answers 304 to a matching If-None-Match."""

    def route(handler: HostileHandler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            handler.head(304, {"ETag": etag, "Content-Length": "0"})
            return
        static(make(), content_type, ETag=etag)(handler)

    return route


def query_arg(handler: HostileHandler, name: str) -> str:
    return parse_qs(urlsplit(handler.path).query).get(name, [""])[0]


def endless_index(server: HostileServer, generation: list[int]) -> Route:
    """``/idx.xml?n=K`` lists three new indexes (``n=3K+1..3K+3``), made as asked,
    for ever; ``generation`` names them anew (another run sees new URLs)."""

    def route(handler: HostileHandler) -> None:
        n = int(query_arg(handler, "n") or 0)
        children = [
            (f"{server.url}/idx.xml?g={generation[0]}&n={3 * n + i}", "2026-11-18")
            for i in (1, 2, 3)
        ]
        static(sitemap_index(children), XML)(handler)

    return route


def drops(crawl: Crawl, reason: str) -> list[dict[str, Any]]:
    return query(crawl.db, "select * from drops where reason = ? order by url", (reason,))


def counts(crawl: Crawl) -> dict[str, Any]:
    rows = query(crawl.db, "select counts from runs where command = 'crawl' order by id desc")
    return json.loads(rows[0]["counts"])


# ---------------------------------------------------------------------------
# A. sitemap indexes


def test_endless_sitemap_indexes_stop_at_the_sitemap_depth(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """An index that lists three new indexes each time it is asked: with the
    default sitemap_depth (3), the configured index, its 3 and their 9 are
    read, and the 9 at the bottom each leave an over_limit drop naming the key."""
    generation = [1]
    server = hostile_site({})
    server.add("/idx.xml", endless_index(server, generation))
    crawl = run_crawl(
        tmp_path, server, {"sitemaps": [f"{server.url}/idx.xml?n=0", f"{server.url}/sitemap.xml"]}
    )
    assert server.hits["/idx.xml"] == 1 + 3 + 9
    over = drops(crawl, "over_limit")
    assert len(over) == 9, over
    for drop in over:
        assert "sitemap_depth" in drop["detail"] and "\n" not in drop["detail"], drop
    assert "sitemap_depth" in crawl.stderr  # one warning line for the operator
    assert counts(crawl)["drop_reasons"] == {"over_limit": 9}
    assert "9 dropped" in crawl.summary()
    assert crawl.seconds < 60
    assert crawl.article(f"{server.url}/good/")
    assert crawl.returncode == 0, crawl.stderr[-3000:]


def test_endless_sitemap_indexes_stop_at_max_sitemaps_per_run_and_are_not_all_remembered(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """With the depth raised, max_sitemaps_per_run holds: no run fetches more
    sitemaps than it allows, and the sitemaps remembered for the next run (the
    attack left 15,978 of them, all fetched at the start of the next run) stay
    within it too."""
    generation = [1]
    server = hostile_site({})
    server.add("/idx.xml", endless_index(server, generation))
    index = f"{server.url}/idx.xml?n=0"
    source = {"sitemaps": [index], "sitemap_depth": 10, "max_sitemaps_per_run": 20}
    first = run_crawl(tmp_path, server, source)
    assert server.hits["/idx.xml"] == 20
    over = drops(first, "over_limit")
    assert over and all("max_sitemaps_per_run (20)" in d["detail"] for d in over), over
    assert first.returncode == 0, first.stderr[-3000:]

    # the next runs see new indexes each time; what is remembered stays bounded
    for run in (2, 3):
        generation[0] = run
        before = server.hits["/idx.xml"]
        again = run_crawl(tmp_path, server, source)
        assert server.hits["/idx.xml"] - before <= 20
        assert again.returncode == 0, again.stderr[-3000:]
    # an unchanged index (304): the remembered sitemaps are fetched, at most the cap
    server.add("/idx.xml", conditional(lambda: sitemap_index([(index + "x", None)])))
    run_crawl(tmp_path, server, source)  # the index's ETag is stored
    before = server.hits["/idx.xml"]
    last = run_crawl(tmp_path, server, source)
    assert server.hits["/idx.xml"] - before <= 20
    # remembered: the 20 most recently fetched, and the configured index
    remembered = query(last.db, "select count(*) as n from fetch_state where kind = 'sitemap'")
    assert remembered[0]["n"] <= 20 + 1


def test_over_max_sitemaps_per_run_the_newest_are_fetched_and_the_rest_next_run(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """An index (with an ETag) lists six sitemaps, each with one article; the
    source may fetch four sitemaps a run: the index and the three newest. The
    index is read in full again next run (not 304), and the three older
    sitemaps are fetched then."""
    server = hostile_site({})
    listed = []
    for day in range(1, 7):
        path = f"/sitemap-{day}.xml"
        server.add(f"/story-{day}/", static(page(500 + day).encode()))
        server.add(path, static(sitemap([f"{server.url}/story-{day}/"]), XML))
        listed.append((server.url + path, f"2026-10-0{day}"))
    shuffled = [listed[i] for i in (2, 5, 0, 4, 1, 3)]
    server.add("/index.xml", conditional(lambda: sitemap_index(shuffled)))
    source = {"sitemaps": [f"{server.url}/index.xml"], "max_sitemaps_per_run": 4}
    first = run_crawl(tmp_path, server, source)
    fetched = sorted(p for p in server.hits if p.startswith("/sitemap-"))
    assert fetched == ["/sitemap-4.xml", "/sitemap-5.xml", "/sitemap-6.xml"]
    [drop] = drops(first, "over_limit")
    assert drop["url"] == f"{server.url}/index.xml"
    assert drop["detail"].startswith("3 of the 6 sitemaps listed here were not fetched")
    assert "max_sitemaps_per_run (4)" in drop["detail"]
    assert first.returncode == 0, first.stderr[-3000:]

    second = run_crawl(tmp_path, server, source)
    assert all(server.hits[f"/sitemap-{day}.xml"] >= 1 for day in range(1, 7)), server.hits
    stored = query(second.db, "select url from articles order by url")
    assert [r["url"] for r in stored] == [f"{server.url}/story-{day}/" for day in range(1, 7)]


def test_an_unchanged_index_brings_back_the_sitemaps_it_listed(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """An index answering 304 still gets its sitemaps looked at (they change
    while the index does not)."""
    server = hostile_site({})
    server.add("/a.xml", static(sitemap([f"{server.url}/good/"]), XML))
    server.add("/b.xml", static(sitemap([f"{server.url}/good/"]), XML))
    entries = [(f"{server.url}/a.xml", None), (f"{server.url}/b.xml", None)]
    server.add("/index.xml", conditional(lambda: sitemap_index(entries)))
    source = {"sitemaps": [f"{server.url}/index.xml"]}
    run_crawl(tmp_path, server, source)
    second = run_crawl(tmp_path, server, source)
    assert (server.hits["/a.xml"], server.hits["/b.xml"]) == (2, 2)
    assert second.returncode == 0, second.stderr[-3000:]


def test_postponed_articles_are_fetched_next_run_when_their_sitemap_is_unchanged(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """max_articles_per_run leaves the rest "for the next run": that holds
    even when the sitemap listing them answers 304 Not Modified next time."""
    server = hostile_site({})
    urls = []
    for n in range(3):
        server.add(f"/story-{n}/", static(page(700 + n).encode()))
        urls.append(f"{server.url}/story-{n}/")
    server.add("/news.xml", conditional(lambda: sitemap(urls)))
    source = {"sitemaps": [f"{server.url}/news.xml"], "max_articles_per_run": 1}
    for run in range(1, 4):
        crawl = run_crawl(tmp_path, server, source)
        assert len(crawl.articles()) == run, (run, crawl.summary())


def test_articles_over_max_articles_per_run_cost_the_run_no_time(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """Four sitemaps of 50,000 new article URLs each (the most a sitemap may
    hold) and a source that may fetch 10 pages: the other 199,990 are
    postponed as they are read, not queued one by one (the scheduler takes
    over a millisecond each: minutes for these four, and a source may have a
    hundred sitemaps)."""
    server = hostile_site({})
    for n in range(4):
        urls = [f"{server.url}/new/{n}/{m}/" for m in range(50_000)]
        server.add(f"/big-{n}.xml", static(sitemap(urls), XML))
    sitemaps = [f"{server.url}/sitemap.xml"] + [f"{server.url}/big-{n}.xml" for n in range(4)]
    crawl = run_crawl(
        tmp_path,
        server,
        {"sitemaps": sitemaps, "max_articles_per_run": 10},
        crawl={"max_response_bytes": 20_000_000, "timeout": 60},
        limit=120,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    errors = [crawl.fetch_error(url) for url in sitemaps]
    assert counts(crawl)["postponed"] == 1 + 4 * 50_000 - 10, errors
    assert crawl.stderr.count("max_articles_per_run") == 1  # one warning line
    assert crawl.seconds < 60


def test_a_cluster_holds_max_sitemaps_per_run_across_its_workers(
    tmp_path: Path, hostile_site: SiteFactory, redis_server: RedisServer, processes: Any
) -> None:
    """Two workers share the endless index: together they fetch no more listed
    sitemaps than max_sitemaps_per_run (counted in Redis), and the cut shows in
    fetch_state.error of an index that listed more."""
    generation = [1]
    server = hostile_site({})
    server.add("/idx.xml", endless_index(server, generation))
    source = {
        "sitemaps": [f"{server.url}/idx.xml?n=0"],
        "sitemap_depth": 10,
        "max_sitemaps_per_run": 10,
        "crawl": {"delay": 0, "retries": 0, "timeout": 5},
    }
    config = cluster_config(tmp_path, redis_server, server, source_settings=source, wait_timeout=90)
    group = processes(config, 2)
    crawl = group.coordinate("crawl", timeout=180)
    assert crawl.returncode == 0, crawl.stderr + group.log("worker0")[-2000:]
    assert server.hits["/idx.xml"] == 1 + 10  # the seeded index is not counted
    errors = query(tmp_path / "store.db", "select error from fetch_state where error is not null")
    assert errors and all("max_sitemaps_per_run (10)" in e["error"] for e in errors), errors


# ---------------------------------------------------------------------------
# D. refusals leave a line


def test_a_url_over_the_length_limit_is_dropped_with_a_reason(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """Scrapy's UrlLengthMiddleware (URLLENGTH_LIMIT, 2,083) drops such a
    request without a trace; here the refusal is a drops row (article) or a
    fetch_state error (sitemap)."""
    server = hostile_site({})
    long_article = f"{server.url}/long/?q={'a' * 2100}"
    long_sitemap = f"{server.url}/long-sitemap.xml?q={'b' * 2100}"
    server.add("/long/", static(page(900).encode()))
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title>'
        f"<item><title>Long</title><link>{xml_escape(long_article)}</link></item>"
        f"<item><title>Good</title><link>{server.url}/good/</link></item>"
        "</channel></rss>"
    ).encode()
    server.add("/feed.xml", static(feed, "application/rss+xml"))
    server.add("/index.xml", static(sitemap_index([(long_sitemap, None)]), XML))
    crawl = run_crawl(
        tmp_path,
        server,
        {"feeds": [f"{server.url}/feed.xml"], "sitemaps": [f"{server.url}/index.xml"]},
    )
    [drop] = crawl.drops(long_article)
    assert drop["reason"] == "url_too_long"
    assert "2,083" in drop["detail"] and "\n" not in drop["detail"]
    error = crawl.fetch_error(long_sitemap)
    assert error and "2,083" in error, error
    assert server.hits["/long/"] == 0
    assert crawl.article(f"{server.url}/good/")


def test_documents_nested_too_deep_are_one_line_problems(
    tmp_path: Path, hostile_site: SiteFactory
) -> None:
    """A JSON Feed nested 200,000 deep (RecursionError in json.loads) and a
    sitemap nested past libxml2's limit (which silently ended the reading, the
    entries after it lost) each get a one-line fetch_state.error."""
    server = hostile_site({})
    deep = 200_000
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Deep", "items": '
        + b"[" * deep
        + b"]" * deep
        + b"}"
    )
    server.add("/feed.json", static(json_feed, "application/feed+json"))
    nested = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + f"<url><loc>{server.url}/good/</loc></url>"
        + "<x>" * 300
        + "</x>" * 300
        + f"<url><loc>{server.url}/after/</loc></url></urlset>"
    ).encode()
    server.add("/nested.xml", static(nested, XML))
    crawl = run_crawl(
        tmp_path,
        server,
        {"feeds": [f"{server.url}/feed.json"], "sitemaps": [f"{server.url}/nested.xml"]},
        crawl={"max_response_bytes": 1_000_000},
    )
    error = crawl.fetch_error(f"{server.url}/feed.json")
    assert error and error.startswith("malformed feed: nested too deep"), error
    error = crawl.fetch_error(f"{server.url}/nested.xml")
    assert error and error.startswith("malformed sitemap: nested too deep"), error
    assert "Traceback" not in crawl.stderr
    assert crawl.article(f"{server.url}/good/")


# ---------------------------------------------------------------------------
# C. SIGTERM


def _slow_site(server: HostileServer) -> list[str]:
    """A sitemap of one quick article and three that trickle for a minute."""
    server.add("/good/", static(good_page()))
    slow = []
    for n in range(3):
        server.add(f"/slow-{n}/", trickle_body(page(800 + n).encode(), every=1.0))
        slow.append(f"{server.url}/slow-{n}/")
    server.add("/sitemap.xml", static(sitemap([f"{server.url}/good/", *slow]), XML))
    return slow


@pytest.mark.parametrize("to", ["process", "group"])
def test_sigterm_ends_a_run_within_seconds(tmp_path: Path, to: str) -> None:
    """``syndicator run`` against a site whose pages take a minute each, and a
    second source on the same machine set to the longest delay the config
    allows; SIGTERM (to the process, or to its whole group as systemd sends
    it) ends it within 15 s, with its runs row closed, the quick article kept,
    the lock free, nothing published and one line saying it was stopped."""
    with HostileServer() as server, HostileServer() as patient:
        _slow_site(server)
        # its own download slot (another host name), where the article waits the delay
        patient_url = patient.url.replace("127.0.0.1", "localhost")
        patient.add("/sitemap.xml", static(sitemap([f"{patient_url}/good/"]), XML))
        patient.add("/good/", static(good_page(2)))
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "slow",
                    "min_words": 10,
                    "sitemaps": [f"{server.url}/sitemap.xml"],
                    "crawl": {"timeout": 600, "retries": 0, "obey_robots": False},
                },
                {
                    "name": "patient",
                    "min_words": 10,
                    "sitemaps": [f"{patient_url}/sitemap.xml"],
                    "crawl": {"delay": MAX_DELAY, "timeout": 600, "obey_robots": False},
                },
            ],
        )
        process = start_run(config)
        try:
            deadline = time.monotonic() + 60
            while (
                not all(server.hits[f"/slow-{n}/"] for n in range(3)) or not server.hits["/good/"]
            ):
                assert time.monotonic() < deadline, "the crawl did not reach the slow pages"
                assert process.poll() is None, process.communicate()
                time.sleep(0.2)
            time.sleep(2)  # the quick article is extracted and stored meanwhile
            stopped = time.monotonic()
            if to == "group":
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=15)
            print(f"\nexited {process.returncode} {time.monotonic() - stopped:.1f} s after SIGTERM")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
    assert (patient.hits["/sitemap.xml"], patient.hits["/good/"]) == (1, 0)  # in the delay
    assert process.returncode != 0
    lines = [line for line in stderr.splitlines() if "stopped by SIGTERM" in line]
    assert lines and lines[-1].startswith("crawl interrupted: stopped by SIGTERM"), stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    db = tmp_path / "store.db"
    runs = query(db, "select command, status, error from runs")
    assert runs == [{"command": "crawl", "status": "interrupted", "error": "stopped by SIGTERM"}]
    assert query(db, "select url from articles") == [{"url": f"{server.url}/good/"}]
    with FileLock(tmp_path / "store.db.lock", timeout=0):
        pass  # free: the next cron run starts


def test_sigterm_ends_a_crawl_whose_process_is_busy(tmp_path: Path) -> None:
    """A feed nested 1.4 million elements deep keeps feedparser busy for most
    of a minute (in an extraction process, under the page budget). The crawl
    still ends within seconds of SIGTERM, its runs row closed, one line saying
    why."""
    feed = deep_feed(1_400_000)
    with HostileServer() as server:
        server.add("/feed.xml", static(feed, "application/rss+xml"))
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "deep",
                    "feeds": [f"{server.url}/feed.xml"],
                    "crawl": {"max_response_bytes": 10_485_760, "obey_robots": False},
                }
            ],
        )
        process = start_run(config)
        try:
            deadline = time.monotonic() + 60
            while not server.hits["/feed.xml"]:
                assert time.monotonic() < deadline, "the crawl did not fetch the feed"
                time.sleep(0.2)
            time.sleep(2)  # the feed is being read
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
    assert process.returncode != 0
    assert "crawl interrupted: stopped by SIGTERM" in stderr, stderr[-3000:]
    runs = query(tmp_path / "store.db", "select command, status, error from runs")
    assert [(r["command"], r["status"]) for r in runs] == [("crawl", "interrupted")]
    assert runs[0]["error"].startswith("stopped by SIGTERM")


def test_a_feed_that_takes_too_long_to_read_is_one_line_and_the_crawl_goes_on(
    tmp_path: Path,
) -> None:
    """feedparser spends most of a minute on a feed nested a million deep. It is
    read in an extraction process under the page budget, so the crawl's event
    loop goes on downloading meanwhile, and the feed ends as one line in
    ``fetch_state.error`` when the budget is over, while the other source's
    article is stored."""
    feed = deep_feed(1_000_000)
    with HostileServer() as server:
        server.add("/deep.xml", static(feed, "application/rss+xml"))
        server.add("/good/", static(good_page()))
        server.add("/sitemap.xml", static(sitemap([f"{server.url}/good/"]), XML))
        config = write_config(
            tmp_path / "c.toml",
            [
                {"name": "deep", "feeds": [f"{server.url}/deep.xml"]},
                {"name": "fine", "sitemaps": [f"{server.url}/sitemap.xml"], "min_words": 10},
            ],
        )
        with config.open("a") as out:
            out.write("\n[extraction]\ntimeout = 3\n")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "syndicator", "--config", str(config), "crawl"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    seconds = time.monotonic() - started
    db = tmp_path / "store.db"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert query(db, "select url from articles") == [{"url": f"{server.url}/good/"}]
    [state] = query(db, "select error from fetch_state where url = ?", (f"{server.url}/deep.xml",))
    assert state["error"] == "reading the feed took longer than 3 s (the [extraction] timeout)"
    assert seconds < 60, f"the crawl took {seconds:.0f} s"
