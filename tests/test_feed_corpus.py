"""feedparser's whole test corpus (wellformed, illformed, encoding, entities and
json: 2,107 files), served with their Header: lines as the feeds of a few
sources in one crawl: the crawl never crashes, records each broken feed in one
line, and follows every entry that has a usable link."""

from __future__ import annotations

import re
import time
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from w3lib.url import canonicalize_url

from spiders.discovery import read_feed
from syndicator.demo.siteserver import Site
from syndicator.urls import normalize_url
from tests.conftest import SHARED, query, syndicator, write_config

CORPUS = SHARED / "corpora" / "feedparser"
KINDS = ("wellformed", "illformed", "encoding", "entities", "json")
FEEDS = sorted(p for kind in KINDS for p in (CORPUS / kind).rglob("*") if p.is_file())
SOURCES = 4  # the feeds are dealt round-robin to this many sources
CRAWL_BUDGET = 120.0  # seconds; the brief: "well under ~2 minutes" on 2 cores

# An absolute http(s) URL's scheme and whole authority (userinfo, host, port):
# everything up to what ends the authority ("/", "?", "#") or the URL's text in
# XML (whitespace, quotes, angle brackets). Brackets stop it too, so a broken
# host such as ``http://example.c[o.test/`` stays broken (and a CDATA ``]]>``
# stays intact) while its host is still moved. Case-insensitive: ``HTTP://``.
# Namespace declarations are matched first and kept as they are: a namespace
# name is an identifier nobody fetches, and moving it would turn Atom 1.0, RSS
# 1.0, Dublin Core, ... into unknown XML and defeat the files' purpose. So is a
# JSON Feed's version, which names the format.
URL_OR_NAMESPACE = re.compile(
    r"""(?P<ns>xmlns(?::[\w.-]+)?\s*=\s*(?P<q>["'])[^"'<>\s]*(?P=q)"""
    r"""|"version"\s*:\s*"https://jsonfeed\.org/version/[^"]*")|https?://[^/?#\s"'<>\[\]]*""",
    re.IGNORECASE | re.ASCII,
)
# Files in UTF-16/32 are rewritten as text in their own encoding; every other
# file byte for byte as latin-1 (URLs are ASCII in all the others).
WIDE = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _codec(raw: bytes) -> str:
    for prefix, codec in WIDE:
        if raw.startswith(prefix):
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                break
            return codec
    return "latin-1"


def relocate(text: str, site_url: str) -> str:
    """``text`` with every absolute http(s) URL moved to ``site_url``."""
    return URL_OR_NAMESPACE.sub(lambda m: m["ns"] or site_url, text)


def served(path: Path, site_url: str) -> tuple[dict[str, str], bytes]:
    """The feed as its test file says to serve it, with every absolute URL's host
    (in the body and in the headers) moved to our loopback site, so that following
    links never leaves this machine."""
    raw = path.read_bytes()
    codec = _codec(raw)
    text = raw.decode(codec)
    default = "application/feed+json" if path.suffix == ".json" else "application/xml"
    headers = {"Content-Type": default}
    for line in text.split("-->", 1)[0].splitlines():
        header = line.strip().removeprefix("Header:")
        if header == line.strip() or ":" not in header:
            continue
        key, value = (part.strip() for part in header.split(":", 1))
        headers = {k: v for k, v in headers.items() if k.lower() != key.lower()}
        headers[key] = relocate(value, site_url)
    return headers, relocate(text, site_url).encode(codec)


def as_received(headers: dict[str, str], url: str) -> dict[str, str]:
    """The response headers as syndicator hands them to feedparser."""
    return {**{k.lower(): v for k, v in headers.items()}, "content-location": url}


@pytest.fixture(scope="module")
def corpus_crawl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    assert len(FEEDS) == 2107, f"corpus incomplete at {CORPUS}: {len(FEEDS)} files"
    site = Site("feeds", [])
    site.start()  # the port must be known before the bodies are rewritten
    docs: dict[str, tuple[dict[str, str], bytes]] = {}
    feeds: dict[Path, str] = {}
    for path in FEEDS:
        rel = path.relative_to(CORPUS).as_posix()
        feeds[path] = f"{site.url}/feeds/{rel}"
        docs[f"/feeds/{rel}"] = served(path, site.url)

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        doc = docs.get(unquote(urlsplit(path).path))
        return None if doc is None else (200, dict(doc[0]), doc[1])

    site.hook = hook
    # Network guard for the test itself: everything the crawl will request from a
    # feed is what read_feed finds in it. Refuse to start the crawl if any of it is
    # not on the loopback site (the rewriting above missed a form of URL).
    leaks, crashes = [], {}
    for path, url in feeds.items():
        headers, body = docs[urlsplit(url).path]
        try:
            found = read_feed(body, url, as_received(headers, url)).entries
        except Exception as exc:  # the crawl will show it; nothing is followed then
            crashes[path.relative_to(CORPUS).as_posix()] = repr(exc)
            continue
        leaks += [f"{path}: {f.url}" for f in found if not f.url.startswith(site.url + "/")]
    if leaks:
        site.stop()
        pytest.fail("would leave 127.0.0.1:\n" + "\n".join(leaks))

    tmp = tmp_path_factory.mktemp("corpus")
    sources = [
        {
            "name": f"corpus{n}",
            "feeds": list(feeds.values())[n::SOURCES],
            "min_words": 1,
            "crawl": {"delay": 0, "autothrottle": False, "concurrency_per_domain": 32},
        }
        for n in range(SOURCES)
    ]
    config = write_config(tmp / "c.toml", sources)
    started = time.perf_counter()
    result = syndicator("crawl", config=config, timeout=300)
    seconds = time.perf_counter() - started
    print(f"\ncrawl of {len(feeds)} feeds: {seconds:.1f}s, {len(site.requests)} requests")
    print(result.stdout.strip())
    yield {
        "site": site,
        "result": result,
        "seconds": seconds,
        "db": tmp / "store.db",
        "feeds": feeds,
        "docs": docs,
        "source_of": {url: s["name"] for s in sources for url in s["feeds"]},
        "crashes": crashes,
    }
    site.stop()


def test_crawl_completes_without_crashing(corpus_crawl: dict[str, Any]) -> None:
    result = corpus_crawl["result"]
    assert not corpus_crawl["crashes"], f"read_feed raised: {corpus_crawl['crashes']}"
    assert result.returncode == 0, result.stderr[-5000:]
    assert "Traceback" not in result.stderr, result.stderr[
        max(0, result.stderr.find("Traceback") - 2000) :
    ][:8000]
    assert result.stdout.startswith("crawl finished; ")
    assert corpus_crawl["seconds"] < CRAWL_BUDGET, f"crawl took {corpus_crawl['seconds']:.1f}s"


def test_each_broken_feed_is_recorded_in_one_line(corpus_crawl: dict[str, Any]) -> None:
    site, docs = corpus_crawl["site"], corpus_crawl["docs"]
    requested = {urlsplit(r.path).path for r in site.requests}
    states = {r["url"]: r for r in query(corpus_crawl["db"], "select * from fetch_state")}
    stderr = corpus_crawl["result"].stderr
    broken, problems = 0, []
    for path, url in corpus_crawl["feeds"].items():
        headers, body = docs[urlsplit(url).path]
        parsed = feedparser.parse(BytesIO(body), response_headers=as_received(headers, url))
        state = states.get(url)
        if urlsplit(url).path not in requested or state is None:
            problems.append(f"{path}: not fetched / no fetch_state row")
            continue
        if state["status"] != 200:
            problems.append(f"{path}: status {state['status']}")
        if state["error"] and "\n" in state["error"]:
            problems.append(f"{path}: error of several lines: {state['error']!r}")
        if path.suffix == ".json":
            # feedparser 6 reads JSON Feed as broken XML; syndicator reads it
            if state["error"] is not None:
                problems.append(f"{path}: a valid JSON Feed recorded as {state['error']!r}")
        elif parsed.bozo:
            broken += 1
            if not (state["error"] or "").startswith("malformed feed: "):
                problems.append(f"{path}: bozo ({parsed.bozo_exception!r}) but {state['error']!r}")
            elif f"{corpus_crawl['source_of'][url]}: {state['error']}" not in stderr:
                problems.append(f"{path}: problem not logged")
    assert not problems, "\n".join(problems)
    assert broken >= 200  # hundreds of the test files are deliberately broken


def test_every_entry_with_a_usable_link_is_followed(corpus_crawl: dict[str, Any]) -> None:
    site, docs = corpus_crawl["site"], corpus_crawl["docs"]
    # compared as Scrapy's duplicate filter compares them: ``/~bob``, ``/%7ebob`` and
    # ``/%7Ebob`` (atom10/entry_id_no_normalization_5-7) are one page, fetched once
    requested = {canonicalize_url(site.url + r.path) for r in site.requests}
    wanted: dict[str, Path] = {}
    for path, url in corpus_crawl["feeds"].items():
        headers, body = docs[urlsplit(url).path]
        parsed = feedparser.parse(BytesIO(body), response_headers=as_received(headers, url))
        for entry in parsed.entries:
            link = entry.get("link") or ""
            if link.startswith(site.url + "/"):
                wanted.setdefault(canonicalize_url(normalize_url(link)), path)
        # and whatever syndicator itself takes from the feed (links, alternates, guids)
        for found in read_feed(body, url, as_received(headers, url)).entries:
            wanted.setdefault(canonicalize_url(found.url), path)
    assert len(wanted) >= 30, "the corpus should have some entries with links"
    # json/example.json's two items are among them
    json_feed = next(path for path in corpus_crawl["feeds"] if path.suffix == ".json")
    assert sum(path == json_feed for path in wanted.values()) == 2
    missing = [f"{path}: {link}" for link, path in wanted.items() if link not in requested]
    assert not missing, "\n".join(missing)
    # each of them ends up somewhere: stored, or (mostly: a 404 here) a drop
    db = corpus_crawl["db"]
    recorded = {canonicalize_url(r["url"]) for r in query(db, "select url from drops")}
    recorded |= {canonicalize_url(r["url"]) for r in query(db, "select url from articles")}
    assert not [link for link in wanted if link not in recorded]
