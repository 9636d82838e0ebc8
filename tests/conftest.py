"""Shared fixtures: real local sites, real config files, real crawls in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.bundled import demo_sites
from syndicator.demo.siteserver import Site

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXPECTED_FILE = ROOT / "tests" / "demo_expected.json"


def real_stories(min_words: int = 200) -> list[str]:
    """Hand-checked article bodies of the Zyte benchmark's real pages, longer than
    ``min_words``: unrelated stories, so none is a near-duplicate of another."""
    truth = json.loads((SHARED / "corpora" / "zyte-aeb" / "ground-truth.json").read_text())
    return [t["articleBody"] for t in truth.values() if len(t["articleBody"].split()) > min_words]


def toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def write_config(path: Path, sources: list[dict[str, Any]], **publisher: Any) -> Path:
    """A config file with loopback allowed for every source."""
    lines = ["[publisher]"]
    settings = {
        "name": "Test Publisher",
        "contact_url": "https://publisher.example/contact",
        "store": "store.db",
        **publisher,
    }
    lines += [f"{key} = {toml_value(value)}" for key, value in settings.items()]
    lines += [
        "",
        "[crawl]",
        "delay = 0",
        "concurrency_per_domain = 8",
        "autothrottle = false",
        "retries = 1",
        "timeout = 10",
    ]
    for source in sources:
        lines += ["", "[[sources]]"]
        source = {"allow_networks": ["127.0.0.1/32"], **source}
        nested = {k: v for k, v in source.items() if isinstance(v, dict)}
        lines += [f"{k} = {toml_value(v)}" for k, v in source.items() if k not in nested]
        for table, values in nested.items():
            lines += [f"[sources.{table}]"] + [f"{k} = {toml_value(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def add_partners(config: Path, *partners: dict[str, Any]) -> Path:
    """Append ``[[partners]]`` tables to a config file written by :func:`write_config`."""
    with config.open("a") as out:
        for partner in partners:
            out.write("\n[[partners]]\n")
            out.writelines(f"{key} = {toml_value(value)}\n" for key, value in partner.items())
    return config


def syndicator(
    *args: str, config: Path | None = None, timeout: float = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess (Scrapy's reactor runs once per process)."""
    command = [sys.executable, "-m", "syndicator"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@contextmanager
def sitemap_site(name: str, pages: dict[str, str]) -> Iterator[Site]:
    """A local site serving ``pages`` (path -> HTML) and a sitemap of them."""
    site = Site(name, [])

    def answer(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in pages)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path in pages:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, pages[path].encode()
        return None

    site.hook = answer
    site.start()
    try:
        yield site
    finally:
        site.stop()


def crawl_site(tmp_path: Path, site: Site, **source: Any) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Crawl ``site``'s sitemap as one source; its config and its stored
    articles by path."""
    config = write_config(
        tmp_path / "c.toml",
        [{"name": site.name, "sitemaps": [f"{site.url}/sitemap.xml"], **source}],
    )
    result = syndicator("crawl", config=config)
    assert result.returncode == 0, result.stderr
    rows = query(tmp_path / "store.db", "select * from articles")
    return config, {row["url"].removeprefix(site.url): row for row in rows}


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def sites() -> Iterator[Any]:
    """The bundled demo sites on free loopback ports."""
    group = demo_sites({"riverside-herald": 0, "northgate-gazette": 0})
    with group:
        yield group


def demo_sources(sites: Any) -> list[dict[str, Any]]:
    rh, ng = sites["riverside-herald"].url, sites["northgate-gazette"].url
    return [
        {
            "name": "riverside-herald",
            "title": "The Riverside Herald",
            "feeds": [f"{rh}/feed.xml"],
            "sitemaps": [f"{rh}/sitemap.xml"],
        },
        {
            "name": "northgate-gazette",
            "title": "The Northgate Gazette",
            "feeds": [f"{ng}/atom.xml"],
            "sections": [f"{ng}/category/news/", f"{ng}/category/opinion/"],
            # "private" too, to prove robots.txt keeps the crawler out of /private/
            "article_pattern": "/(news|opinion|private)/[a-z0-9-]+/$",
            "section_depth": 2,
            # as the demo's config: the Gazette's one-paragraph briefs stay home
            "min_words": 40,
        },
    ]
