"""A failing source or page is reported in one line and never stops the rest."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from syndicator.demo.siteserver import Site
from tests.conftest import ROOT, query, syndicator, write_config

ARTICLE = (
    "<html><body><article><h1>T</h1>"
    + "<p>Words of a fine story here. </p>" * 40
    + ("</article></body></html>")
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flaky_site() -> Site:
    """A sitemap of four pages: two good, one answering 500, one 404."""
    site = Site("flaky", [])
    calls: dict[str, int] = {}

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        calls[path] = calls.get(path, 0) + 1
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{site.url}/{p}/</loc></url>" for p in ("a", "b", "err", "gone")
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path in ("/a/", "/b/"):
            return 200, html, ARTICLE.replace("fine story", f"fine story {path}").encode()
        if path == "/err/":
            return 500, html, b"<html><body>oops</body></html>"
        return 404, html, b"<html><body>gone</body></html>"

    site.hook = hook
    site.calls = calls  # type: ignore[attr-defined]
    return site.start()


def test_an_unreachable_source_fails_the_run_but_not_the_others(tmp_path: Path) -> None:
    site = flaky_site()
    try:
        dead = f"http://127.0.0.1:{closed_port()}"
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "dead",
                    "feeds": [f"{dead}/feed.xml"],
                    "sitemaps": [f"{dead}/sitemap.xml"],
                },
                {"name": "flaky", "sitemaps": [f"{site.url}/sitemap.xml"], "min_words": 10},
            ],
        )
        result = syndicator("crawl", config=config)
    finally:
        site.stop()
    assert result.returncode == 1
    # each failure is one line: not even robots.txt of the dead host brings a traceback
    assert "Traceback" not in result.stderr, result.stderr
    summary = [line for line in result.stderr.splitlines() if line.startswith("crawl failed")]
    assert summary == [summary[0]]
    assert summary[0].startswith("crawl failed: no page could be fetched from dead; 2 new,")
    db = tmp_path / "store.db"
    assert len(query(db, "select * from articles")) == 2
    drops = {r["url"].rsplit("/", 2)[-2]: r for r in query(db, "select * from drops")}
    assert drops["err"]["reason"] == "fetch_failed" and drops["err"]["detail"] == "HTTP 500"
    assert drops["gone"]["detail"] == "HTTP 404"
    assert site.calls["/err/"] == 2  # retried once (retries = 1 in the test config)
    errors = query(db, "select url, error from fetch_state where source = 'dead'")
    assert {e["url"] for e in errors} == {f"{dead}/feed.xml", f"{dead}/sitemap.xml"}
    assert all("Connection was refused" in e["error"] for e in errors), errors
    run = query(db, "select status, error from runs")[0]
    assert run == {"status": "failed", "error": "no page could be fetched from dead"}


def test_a_failed_page_is_tried_again_next_run_and_a_404_is_not(tmp_path: Path) -> None:
    site = flaky_site()
    try:
        config = write_config(
            tmp_path / "c.toml",
            [
                {"name": "flaky", "sitemaps": [f"{site.url}/sitemap.xml"], "min_words": 10},
            ],
        )
        syndicator("crawl", config=config)
        site.calls.clear()
        second = syndicator("crawl", config=config)
    finally:
        site.stop()
    assert second.returncode == 0, second.stderr
    assert "/err/" in site.calls
    assert "/gone/" not in site.calls and "/a/" not in site.calls


def test_scrapy_command_line_works_from_the_repository_root(tmp_path: Path, sites: Any) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # the cluster's worker and ingest spiders are listed too (see syndicator.cluster)
    assert listed.stdout.split() == ["ingest", "sources", "sources-worker"], listed.stderr
    rh = sites["riverside-herald"].url
    config = write_config(
        tmp_path / "c.toml",
        [
            {"name": "riverside-herald", "feeds": [f"{rh}/feed.xml"]},
        ],
    )
    subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "sources"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "SYNDICATOR_CONFIG": str(config)},
    )
    assert len(query(tmp_path / "store.db", "select id from articles")) >= 5


def test_oversized_pages_are_abandoned_and_recorded(tmp_path: Path) -> None:
    site = flaky_site()
    big = ARTICLE.replace("</article>", "<p>" + "padding words " * 800 + "</p></article>")
    original = site.hook

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/b/":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, big.encode()
        return original(path)

    site.hook = hook
    try:
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "flaky",
                    "sitemaps": [f"{site.url}/sitemap.xml"],
                    "min_words": 10,
                    "crawl": {"max_response_bytes": 4096},
                },
            ],
        )
        result = syndicator("crawl", config=config)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr
    drops = {
        r["url"].rsplit("/", 2)[-2]: r for r in query(tmp_path / "store.db", "select * from drops")
    }
    assert drops["b"]["reason"] == "fetch_failed"
    stored = [r["url"] for r in query(tmp_path / "store.db", "select url from articles")]
    assert stored == [f"{site.url}/a/"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def test_a_killed_crawl_leaves_no_extraction_worker_behind(tmp_path: Path) -> None:
    """SIGKILL (the OOM killer, a hard timeout) gives the crawl no chance to shut its
    pool down; its extraction workers must go with it, not wait forever."""
    import signal
    import time

    words = " ".join(["The council met on Tuesday to discuss the river path."] * 20)

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{site.url}/a/{i}</loc></url>" for i in range(200))
            return 200, {"Content-Type": "application/xml"}, f"<urlset>{urls}</urlset>".encode()
        if path.startswith("/a/"):
            time.sleep(0.2)  # slow enough that the crawl is still going when it is killed
            body = f"<html><body><article><h1>Story</h1><p>{words}</p></article></body></html>"
            return 200, {"Content-Type": "text/html"}, body.encode()
        return None

    site = Site(name="slow", roots=[], hook=hook).start()
    try:
        config = write_config(
            tmp_path / "c.toml", [{"name": "slow", "sitemaps": [f"{site.url}/sitemap.xml"]}]
        )
        crawl = subprocess.Popen(
            [sys.executable, "-m", "syndicator", "--config", str(config), "crawl"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            # the resource tracker is a child too; workers are the spawned ones
            workers = [
                pid
                for pid in _children(crawl.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
        assert workers, "the crawl started no extraction worker"
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if Path(f"/proc/{p}").exists()]
    finally:
        site.stop()
