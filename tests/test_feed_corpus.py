"""feedparser's own ill-formed feeds, served with their Header: lines as one
source's feeds: the crawl never crashes, records each broken feed in one
line, and follows every entry that has a usable link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import feedparser
import pytest

from syndicator.siteserver import Site
from syndicator.urls import normalize_url
from tests.conftest import SHARED, query, syndicator, write_config

CORPUS = SHARED / "corpora" / "feedparser" / "illformed"
FEEDS = sorted(p for p in CORPUS.rglob("*.xml"))
HOST = re.compile(rb"https?://[A-Za-z0-9.-]+(:\d+)?")


def served(path: Path, site_url: str) -> tuple[dict[str, str], bytes]:
    """The feed as its test file says to serve it, with every absolute URL's host
    moved to our loopback site, so that following links never leaves this machine."""
    raw = path.read_bytes()
    headers = {"Content-Type": "application/xml"}
    comment = raw.split(b"-->", 1)[0].decode("latin-1")
    for line in comment.splitlines():
        if line.strip().startswith("Header:"):
            key, value = line.split(":", 1)[1].strip().split(":", 1)
            headers = {k: v for k, v in headers.items() if k.lower() != key.strip().lower()}
            headers[key.strip()] = value.strip()
    return headers, HOST.sub(site_url.encode(), raw)


@pytest.fixture(scope="module")
def corpus_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    assert len(FEEDS) >= 19, f"corpus missing at {CORPUS}"
    site = Site("feeds", [])

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path.startswith("/feeds/"):
            headers, body = served(CORPUS / path.removeprefix("/feeds/"), site.url)
            return 200, headers, body
        return None

    site.hook = hook
    site.start()
    tmp = tmp_path_factory.mktemp("corpus")
    feeds = [f"{site.url}/feeds/{p.relative_to(CORPUS)}" for p in FEEDS]
    config = write_config(tmp / "c.toml", [{"name": "corpus", "feeds": feeds, "min_words": 1}])
    result = syndicator("crawl", config=config)
    yield {"site": site, "result": result, "db": tmp / "store.db", "feeds": feeds}
    site.stop()


def test_crawl_completes_without_crashing(corpus_crawl: dict[str, Any]) -> None:
    result = corpus_crawl["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("crawl finished; ")


def test_each_broken_feed_is_recorded_in_one_line(corpus_crawl: dict[str, Any]) -> None:
    site = corpus_crawl["site"]
    states = {r["url"]: r for r in query(corpus_crawl["db"], "select * from fetch_state")}
    broken = 0
    for url, path in zip(corpus_crawl["feeds"], FEEDS, strict=True):
        headers, body = served(path, site.url)
        parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
        state = states[url]
        assert state["status"] == 200
        if parsed.bozo:
            broken += 1
            assert state["error"] and state["error"].startswith("malformed feed: "), url
            assert "\n" not in state["error"]
            assert f"corpus: {state['error']}" in corpus_crawl["result"].stderr
    assert broken >= 10


def test_every_entry_with_a_usable_link_is_followed(corpus_crawl: dict[str, Any]) -> None:
    site = corpus_crawl["site"]
    requested = {normalize_url(site.url + r.path) for r in site.requests}
    wanted = set()
    for path in FEEDS:
        headers, body = served(path, site.url)
        parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
        for entry in parsed.entries:
            if entry.get("link", "").startswith(site.url):
                wanted.add(normalize_url(entry["link"]))
    assert wanted, "the corpus should have some entries with links"
    assert wanted <= requested
