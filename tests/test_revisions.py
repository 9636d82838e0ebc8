"""Revisions: a real correction at the source is a new revision (and one
partner update, see test_publish); whitespace, ads and a new modified date are not.
Stored articles are re-checked by age with conditional GET."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.bundled import demo_root
from syndicator.demo.siteserver import Site, SiteGroup
from tests.conftest import demo_sources, query, syndicator, write_config

SITE = "riverside-herald"
PATH = "2026/11/school-budget-hearing-draws-crowd/"
ROOT = demo_root() / "sites"


class Source:
    """The demo sites with a writable layer on top, and a store that has crawled them."""

    def __init__(self, tmp: Path) -> None:
        self.overlay = tmp / "overlay"
        self.group = SiteGroup(
            [
                Site(name, [self.overlay / name, ROOT / name])
                for name in ("riverside-herald", "northgate-gazette")
            ]
        )
        self.tmp = tmp
        self.db = tmp / "store.db"

    def configure(self, **dedup: Any) -> None:
        self.config = write_config(self.tmp / "c.toml", demo_sources(self.group))
        if dedup:
            with self.config.open("a") as out:
                out.write("\n[dedup]\n" + "".join(f"{k} = {v}\n" for k, v in dedup.items()))

    def crawl(self) -> str:
        result = syndicator("crawl", config=self.config)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def page(self) -> str:
        layered = self.overlay / SITE / PATH / "index.html"
        return (layered if layered.exists() else ROOT / SITE / PATH / "index.html").read_text()

    def serve(self, html: str, bump_lastmod: bool = True) -> None:
        """Serve a changed page; with ``bump_lastmod`` the sitemap says it changed."""
        target = self.overlay / SITE / PATH / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html)
        if bump_lastmod:
            sitemap = (ROOT / SITE / "sitemap-posts.xml").read_text()
            later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat(timespec="seconds")
            entry = re.escape(f"{{{{SITE}}}}/{PATH}</loc>") + r"\s*<lastmod>[^<]+</lastmod>"
            sitemap = re.sub(entry, f"{{{{SITE}}}}/{PATH}</loc><lastmod>{later}</lastmod>", sitemap)
            (self.overlay / SITE / "sitemap-posts.xml").write_text(sitemap)

    def article(self) -> dict[str, Any]:
        return query(self.db, "select * from articles where url like ?", (f"%{PATH}",))[0]

    def unchanged_after_refetch(self, out: str, since: int) -> None:
        """The page was fetched again, and nothing counted as a change."""
        fetched = [r for r in self.group[SITE].requests[since:] if r.path == f"/{PATH}"]
        assert [r.status for r in fetched] == [200]
        assert "0 updated" in out
        assert self.revisions() == [] and self.article()["revision"] == 1

    def revisions(self) -> list[dict[str, Any]]:
        return query(self.db, "select * from revisions")


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Source]:
    src = Source(tmp_path)
    with src.group:
        src.configure()
        src.crawl()
        yield src


def test_a_correction_is_a_new_revision(source: Source) -> None:
    before = source.article()
    assert "filled the Alder Falls High School auditorium" in before["body_text"]
    source.serve(
        source.page().replace(
            "filled the Alder Falls High School auditorium",
            "packed the Alder Falls High School auditorium",
        )
    )
    out = source.crawl()
    assert "0 new, 0 duplicates, 1 updated" in out
    after = source.article()
    assert after["revision"] == 2 and "packed the Alder Falls" in after["body_text"]
    [old] = source.revisions()
    assert old["article_id"] == before["id"] and old["revision"] == 1
    assert old["body_text"] == before["body_text"]
    assert old["content_hash"] == before["content_hash"]


def test_whitespace_is_not_a_revision(source: Source) -> None:
    page = source.page()
    body = page.index('<div class="entry-content')
    spaced = page[:body] + page[body:].replace(". ", ".\n   ", 20).replace("<p>", "<p>\n  ")
    source.serve(spaced)
    since = len(source.group[SITE].requests)
    source.unchanged_after_refetch(source.crawl(), since)


def test_an_ad_inside_the_article_is_not_a_revision(source: Source) -> None:
    ad = (
        '<div class="advertisement ad-inline" aria-label="Advertisement">'
        '<span class="ad-label">Advertisement</span>'
        "<p>Winter sale at Miller's Hardware: twenty percent off every snow shovel, "
        "this week only, while stocks last.</p></div>"
    )
    page = re.sub(
        r'<div class="advertisement ad-inline".*?</div></div>',
        ad,
        source.page(),
        count=1,
        flags=re.S,
    )
    assert "Miller's Hardware" in page
    source.serve(page)
    since = len(source.group[SITE].requests)
    source.unchanged_after_refetch(source.crawl(), since)
    assert "Miller" not in source.article()["body_text"]


def test_a_new_modified_date_alone_is_not_a_revision(source: Source) -> None:
    page = re.sub(
        r'(article:modified_time" content=")[^"]+', r"\g<1>2026-11-24T10:00:00-05:00", source.page()
    )
    source.serve(page)
    since = len(source.group[SITE].requests)
    source.unchanged_after_refetch(source.crawl(), since)


def test_recheck_by_age_uses_conditional_get_and_finds_silent_edits(tmp_path: Path) -> None:
    src = Source(tmp_path)
    with src.group:
        # recheck everything younger than ten years at every run
        src.configure(recheck="[{ max_age_days = 3650, every_hours = 0.0001 }]")
        src.crawl()
        site = src.group[SITE]
        seen = len(site.requests)
        out = src.crawl()
        rechecks = [r for r in site.requests[seen:] if r.path.startswith("/2026/")]
        assert rechecks and all("If-None-Match" in r.headers for r in rechecks)
        assert {r.status for r in rechecks} == {304}
        assert "0 updated" in out
        # an edit the feed and sitemap do not mention is still found
        src.serve(
            src.page().replace("filled the Alder Falls", "crowded the Alder Falls"),
            bump_lastmod=False,
        )
        out = src.crawl()
        assert "1 updated" in out
        assert "crowded the Alder Falls" in src.article()["body_text"]
