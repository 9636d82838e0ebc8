"""A real crawl of the bundled demo sites, checked field by field against
tests/demo_expected.json (written by data/demo/generate.py with the pages)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXPECTED_FILE, demo_sources, query, syndicator, write_config

EXPECTED = json.loads(EXPECTED_FILE.read_text())
SITES = ("riverside-herald", "northgate-gazette")


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def crawl(sites: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("crawl")
    config = write_config(
        tmp / "syndicator.toml",
        demo_sources(sites),
        disclaimer_template=(
            "<p>We are {{ publisher.name }}. Opinions are the author's alone.</p>"
        ),
    )
    # the crawl queue's scratch folder goes here; one left by a killed crawl is planted
    scratch = tmp / "scratch"
    (scratch / "syndicator-queue-999999999-killed" / "requests.queue").mkdir(parents=True)
    env = {"TMPDIR": str(scratch)}
    first = syndicator("crawl", config=config, env=env)
    before_second = {name: len(sites[name].requests) for name in SITES}
    second = syndicator("crawl", config=config, env=env)
    after_second = {name: len(sites[name].requests) for name in SITES}
    return {
        "scratch": scratch,
        "config": config,
        "db": tmp / "store.db",
        "first": first,
        "second": second,
        "before_second": before_second,
        "after_second": after_second,
        "sites": sites,
    }


def stored(crawl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in query(crawl["db"], "select * from articles")}


def good_articles(crawl: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(site name, absolute URL, expectation) of every usable article (both
    cross-posted copies included)."""
    out = []
    for name in SITES:
        site = EXPECTED[name]
        skip = {p for paths in site["broken"].values() for p in paths}
        for path, expected in site["articles"].items():
            if path not in skip:
                out.append((name, crawl["sites"][name].url + path, expected))
    return out


def cross_posts(crawl: dict[str, Any]) -> tuple[str, str]:
    """The two URLs of the story both sites carry, the canonical one first: the
    copy that arrives first is canonical, the other stored as its duplicate."""
    a, b = (crawl["sites"][name].url + EXPECTED["cross_posted"][name] for name in SITES)
    return (b, a) if stored(crawl)[a]["duplicate_of"] else (a, b)


def test_first_crawl_succeeds_with_summary(crawl: dict[str, Any]) -> None:
    result = crawl["first"]
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("crawl finished; ")
    # a page both the feed and the sitemap list is fetched once, and is no
    # "unchanged" page the first time the store sees it
    assert f"{len(good_articles(crawl)) - 1} new, 1 duplicate, 0 updated, 0 unchanged" in line


def test_the_queue_folder_goes_and_so_does_a_killed_crawls(crawl: dict[str, Any]) -> None:
    # the request queue lives on disk during a crawl, in a folder nobody resumes
    assert list(crawl["scratch"].iterdir()) == []


def test_every_article_is_stored_with_its_metadata(crawl: dict[str, Any]) -> None:
    rows = stored(crawl)
    assert set(rows) == {url for _, url, _ in good_articles(crawl)}
    for name, url, expected in good_articles(crawl):
        row = rows[url]
        assert row["source"] == name
        assert row["title"] == expected["title"]
        assert row["author"] == expected["author"]
        assert row["published_at"] == expected["published_at"]
        assert row["published_local"] == expected["published_local"]
        assert row["modified_at"] == expected["modified_at"]
        assert row["canonical_url"] == url
        assert row["language"] == "en-US"
        assert set(expected["tags"]) <= set(json.loads(row["tags"]))
        assert row["image_url"] == expected["og_image"].replace(
            "{{SITE}}", crawl["sites"][name].url
        )


def test_body_has_the_paragraphs_and_none_of_the_chrome(crawl: dict[str, Any]) -> None:
    rows = stored(crawl)
    for _, url, expected in good_articles(crawl):
        if url not in rows:
            continue
        body = squash(rows[url]["body_text"])
        for paragraph in expected["paragraphs"]:
            assert squash(paragraph) in body, (url, paragraph)
        article_text = " ".join(expected["paragraphs"])
        for phrase in EXPECTED["chrome_phrases"]:
            if phrase not in article_text:
                assert phrase not in body, (url, phrase)
        for teaser in expected["teasers"]:
            assert squash(teaser["excerpt"]).rstrip("…") not in body, (url, "teaser leaked")


def test_body_html_is_clean_markup_with_absolute_links(crawl: dict[str, Any]) -> None:
    for row in stored(crawl).values():
        html = row["body_html"].lower()
        assert html.startswith("<") and "<p>" in html
        for bad in ("<script", "onclick", "<iframe", "<form", "<style", "javascript:"):
            assert bad not in html, (row["url"], bad)
        assert 'href="/' not in html and 'src="/' not in html
    all_html = " ".join(row["body_html"] for row in stored(crawl).values())
    for tag in ("<h2>", "<blockquote>", "<ul>", "<a href=", "<img "):
        assert tag in all_html, tag


def test_teasers_match_the_related_blocks_exactly(crawl: dict[str, Any]) -> None:
    rows = stored(crawl)
    for name, url, expected in good_articles(crawl):
        if url not in rows:
            continue
        teasers = query(
            crawl["db"],
            "select * from teasers where article_id = ? order by position",
            (rows[url]["id"],),
        )
        base = crawl["sites"][name].url
        assert [t["title"] for t in teasers] == [t["title"] for t in expected["teasers"]], url
        assert [t["url"] for t in teasers] == [base + t["path"] for t in expected["teasers"]]
        for got, want in zip(teasers, expected["teasers"], strict=True):
            assert squash(got["excerpt"]) == squash(want["excerpt"])


def test_republished_html_has_body_attribution_disclaimer_and_teasers(
    crawl: dict[str, Any],
) -> None:
    rows = stored(crawl)
    _name, url, expected = good_articles(crawl)[0]
    page = rows[url]["republish_html"]
    body_end = page.index(squash(expected["paragraphs"][-1])[:40])
    attribution = page.index("first published by")
    disclaimer = page.index("We are Test Publisher. Opinions are the author")
    related = page.index("Related stories")
    assert body_end < attribution < disclaimer < related
    # the day the source printed (21:40 at -05:00), not the UTC day after
    assert expected["published_local"].startswith("2026-11-16T21:40")
    assert "on November 16, 2026" in page[attribution:disclaimer]
    assert f'<a href="{url}" rel="nofollow noopener">' in page
    assert page.count("[…]") == len(expected["teasers"])
    assert "<script" not in page.lower()


def test_tracking_parameters_never_reach_the_store_or_the_requests(crawl: dict[str, Any]) -> None:
    for row in stored(crawl).values():
        assert "utm_" not in row["url"] and "#" not in row["url"]
    for name in SITES:
        for request in crawl["sites"][name].requests:
            assert "utm_" not in request.path, request.path


def test_broken_pages_are_dropped_with_a_reason(crawl: dict[str, Any]) -> None:
    drops = {row["url"]: row for row in query(crawl["db"], "select * from drops")}
    rh = crawl["sites"]["riverside-herald"].url
    broken = EXPECTED["riverside-herald"]["broken"]
    assert drops[rh + broken["404"][0]]["reason"] == "fetch_failed"
    assert drops[rh + broken["404"][0]]["detail"] == "HTTP 404"
    assert drops[rh + broken["non_html"][0]]["reason"] == "not_html"
    assert drops[rh + broken["empty_body"][0]]["reason"] in ("no_body", "too_short")
    ng = crawl["sites"]["northgate-gazette"].url
    too_short = drops[ng + EXPECTED["northgate-gazette"]["broken"]["too_short"][0]]
    assert too_short["reason"] == "too_short"
    canonical, duplicate = cross_posts(crawl)
    rows = stored(crawl)
    assert rows[duplicate]["duplicate_of"] == rows[canonical]["id"]
    assert rows[duplicate]["similarity"] == 1.0
    assert rows[canonical]["duplicate_of"] is None


def test_robots_txt_is_obeyed(crawl: dict[str, Any]) -> None:
    site = crawl["sites"]["northgate-gazette"]
    private = EXPECTED["northgate-gazette"]["broken"]["robots_disallowed"][0]
    assert site.fetched("/robots.txt")
    assert not site.fetched(private)
    drops = query(crawl["db"], "select reason from drops where url = ?", (site.url + private,))
    assert drops == [{"reason": "robots_txt"}]


def test_requests_name_the_publisher(crawl: dict[str, Any]) -> None:
    request = crawl["sites"]["riverside-herald"].requests[0]
    assert request.headers["User-Agent"].startswith("syndicator/")
    assert request.headers["User-Agent"].endswith("(+https://publisher.example/contact)")


def test_malformed_feed_entry_is_recorded(crawl: dict[str, Any]) -> None:
    feed = crawl["sites"]["riverside-herald"].url + "/feed.xml"
    state = query(crawl["db"], "select * from fetch_state where url = ?", (feed,))[0]
    assert state["error"] == "1 feed entry without a usable link"
    assert state["etag"]


def test_second_crawl_uses_conditional_get_and_fetches_no_article(crawl: dict[str, Any]) -> None:
    result = crawl["second"]
    assert result.returncode == 0, result.stderr
    assert "crawl finished; 0 new, 0 duplicates, 0 updated" in result.stdout
    for name in SITES:
        site = crawl["sites"][name]
        later = site.requests[crawl["before_second"][name] :]
        discovery = [r for r in later if r.path != "/robots.txt"]
        assert discovery, name
        for request in discovery:
            assert "If-None-Match" in request.headers, request.path
            assert "If-Modified-Since" in request.headers, request.path
            assert request.status == 304, request.path
    runs = query(crawl["db"], "select status, counts from runs order by id")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert json.loads(runs[1]["counts"])["new"] == 0
    # the summary says how many requests went out: what the sites answered
    sent = sum(crawl["after_second"][n] - crawl["before_second"][n] for n in SITES)
    assert f"; {sent} requests, 0 postponed in " in result.stdout
    assert json.loads(runs[1]["counts"])["requests"] == sent


def test_full_text_search_finds_articles(crawl: dict[str, Any]) -> None:
    rows = query(
        crawl["db"],
        "select a.title from articles_fts f join articles a on a.rowid = f.rowid "
        "where articles_fts match 'bridge' order by rank",
    )
    assert rows and "Bridge" in rows[0]["title"]


def test_status_lists_each_source(crawl: dict[str, Any]) -> None:
    result = syndicator("status", "--json", config=crawl["config"])
    assert result.returncode == 0, result.stderr
    sources = {row["source"]: row for row in json.loads(result.stdout)["sources"]}
    assert set(sources) == set(SITES)
    assert sources["riverside-herald"]["articles"] == sum(
        1 for url in stored(crawl) if url.startswith(crawl["sites"]["riverside-herald"].url)
    )
    assert sources["riverside-herald"]["last_error"].startswith("1 feed entry without")


def test_status_table_reads_at_a_glance(crawl: dict[str, Any]) -> None:
    result = syndicator("status", config=crawl["config"], env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    for name in SITES:
        cells = [cell.strip() for cell in rows[name].split("│")[1:-1]]
        articles = sum(1 for url in stored(crawl) if url.startswith(crawl["sites"][name].url))
        assert cells[1] == str(articles)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[4]), cells  # last fetch, UTC
    assert result.stdout.strip().splitlines()[-1].startswith("Last run: crawl #2 ok, started ")


def test_store_path_is_the_one_in_the_config(crawl: dict[str, Any]) -> None:
    assert Path(crawl["db"]).exists()


def test_follow_teasers_discovers_related_stories(sites: Any, tmp_path: Path) -> None:
    """Only the opinion section is listed; its articles' teasers lead to the others."""
    ng = sites["northgate-gazette"].url
    source = {
        "name": "ng",
        "sections": [f"{ng}/category/opinion/"],
        "article_pattern": "/opinion/[a-z0-9-]+/$",
    }
    plain = write_config(tmp_path / "plain.toml", [source], store="plain.db")
    following = write_config(
        tmp_path / "follow.toml", [{**source, "follow_teasers": True}], store="follow.db"
    )
    assert syndicator("crawl", config=plain).returncode == 0
    assert syndicator("crawl", config=following).returncode == 0
    without = {r["url"] for r in query(tmp_path / "plain.db", "select url from articles")}
    with_teasers = {r["url"] for r in query(tmp_path / "follow.db", "select url from articles")}
    assert all("/opinion/" in url for url in without)
    assert without < with_teasers
    teaser_urls = {r["url"] for r in query(tmp_path / "follow.db", "select url from teasers")}
    assert with_teasers - without <= teaser_urls
