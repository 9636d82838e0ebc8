"""Titles, authors, tags and the pages kept or dropped, as a partner should get them.

A local site serves articles whose metadata is dressed for their own site (the
site's name in the title, "By … , Staff Writer", one 600-character tag meta),
briefs in scripts without spaces, and articles whose og:type says "website";
they are crawled by the real command line, and one is published to the real
WordPress, which refuses a term: the post goes without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.siteserver import Site
from syndicator.metadata import MAX_TAG, MAX_TAGS
from tests.conftest import add_partners, crawl_site, query, sitemap_site, syndicator
from tests.test_wordpress_real import RealWordPress, credentials

STORY = (
    "The harbour board voted on Tuesday to extend the winter ferry timetable by two weeks, "
    "after residents of the outer islands asked for later sailings during the holidays. "
    "The board said the extra crossings would be paid for from this year's reserve."
)
LATE_STORY = (
    "The last ferry of the evening left the pier forty minutes late on Monday after a fault "
    "in the ramp's hydraulics, the operator said; passengers were offered a refund or a seat "
    "on the first crossing of the morning."
)
TOPICS = [f"Topic number {n} of the harbour" for n in range(1, 31)]  # 30 tags, 600+ characters
LONG_TAG = "A tag that is one long sentence " * 8  # over 200 characters, no comma


def page(
    title: str,
    body: str,
    *,
    lang: str = "en",
    og_type: str = "article",
    date: bool = True,
    author: str = "",
    tags: list[str] | None = None,
) -> str:
    meta = [f'<meta property="og:type" content="{og_type}">']
    meta.append('<meta property="og:site_name" content="The Courier">')
    if date:
        meta.append('<meta property="article:published_time" content="2026-12-01T09:00:00+00:00">')
    if author:
        meta.append(f'<meta name="author" content="{author}">')
    meta += [f'<meta property="article:tag" content="{tag}">' for tag in tags or []]
    return (
        f"<html lang='{lang}'><head><title>{title}</title>{''.join(meta)}</head><body>"
        "<nav><a href='/'>Home</a></nav><main><article>"
        f"<h1>{title.split(' | ')[0]}</h1><div class='entry'><p>{body}</p></div>"
        "</article></main><footer>© The Courier</footer></body></html>"
    )


PAGES = {
    "/2026/12/ferry-timetable-extended-for-holidays/": page(
        "Ferry timetable extended for the holidays | The Courier",
        STORY,
        author="By Jane Roe, Staff Writer",
        tags=["Harbour; Ferries", ", ".join(TOPICS), LONG_TAG],
    ),
    "/2026/12/courier-ferry-brief/": page(
        "The Courier - Night ferry cancelled",
        "The night ferry is cancelled on Friday because of high winds, the board said.",
    ),
    "/zh/2026/12/harbour-brief-zh/": page(
        "港口渡轮时刻表延长",
        "港务局周二投票决定将冬季渡轮时刻表延长两周，因为外岛居民要求在假期期间增加晚班船次。",
        lang="zh",
    ),
    "/ja/2026/12/harbour-brief-ja/": page(
        "フェリーの冬ダイヤを延長",
        "港湾委員会は火曜日、冬のフェリー時刻表を二週間延長することを決めた。離島の住民が休暇中の遅い便を求めていた。",
        lang="ja",
    ),
    "/2026/12/harbour-board-meets-website-type/": page(
        "Harbour board meets again", STORY, og_type="website", date=False
    ),
    "/": page("The Courier", STORY, og_type="website", date=False),
    "/2026/12/too-short-to-be-news/": page("Photos", "Photos from the harbour fair."),
    # the time without its offset in a meta tag, with it in JSON-LD
    "/2026/11/late-ferry-story/": page("Late ferry story", LATE_STORY, date=False).replace(
        "</head>",
        '<meta property="article:published_time" content="2026-11-16T21:40:00">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2026-11-16T21:40:00-05:00"}</script></head>',
    ),
}


@pytest.fixture
def courier() -> Iterator[Site]:
    with sitemap_site("courier", PAGES) as site:
        yield site


def crawl(tmp_path: Path, site: Site) -> tuple[Path, dict[str, dict[str, Any]]]:
    return crawl_site(tmp_path, site)


def test_metadata_as_a_partner_should_show_it(tmp_path: Path, courier: Site) -> None:
    _, stored = crawl(tmp_path, courier)
    story = stored["/2026/12/ferry-timetable-extended-for-holidays/"]
    assert story["title"] == "Ferry timetable extended for the holidays"
    assert story["author"] == "Jane Roe"
    tags = json.loads(story["tags"])
    assert tags[:4] == ["Harbour", "Ferries", *TOPICS[:2]]
    assert len(tags) == MAX_TAGS and all(len(tag) <= MAX_TAG for tag in tags)
    assert stored["/2026/12/courier-ferry-brief/"]["title"] == "Night ferry cancelled"


def test_dates_keep_the_offset_the_source_printed(tmp_path: Path, courier: Site) -> None:
    _, stored = crawl(tmp_path, courier)
    late = stored["/2026/11/late-ferry-story/"]
    # the date naming its offset wins over the same time without one (read as UTC)
    assert late["published_at"] == "2026-11-17T02:40:00+00:00"
    assert late["published_local"] == "2026-11-16T21:40:00-05:00"
    assert "on November 16, 2026" in late["republish_html"]
    # a date given in UTC has no other offset to keep
    story = stored["/2026/12/ferry-timetable-extended-for-holidays/"]
    assert story["published_local"] == "2026-12-01T09:00:00+00:00"


def test_briefs_in_every_script_and_website_typed_articles_are_kept(
    tmp_path: Path, courier: Site
) -> None:
    _, stored = crawl(tmp_path, courier)
    db = tmp_path / "store.db"
    # a 17-word brief, and briefs in scripts written without spaces
    for path in (
        "/2026/12/courier-ferry-brief/",
        "/zh/2026/12/harbour-brief-zh/",
        "/ja/2026/12/harbour-brief-ja/",
    ):
        assert path in stored, path
    assert stored["/zh/2026/12/harbour-brief-zh/"]["word_count"] >= 20
    # og:type "website" on a story's URL: a story; on the home page, no date: not one
    assert "/2026/12/harbour-board-meets-website-type/" in stored
    drops = {row["url"].removeprefix(courier.url): row for row in query(db, "select * from drops")}
    assert drops["/"]["reason"] == "not_article"
    assert (
        drops["/"]["detail"]
        == "og:type is 'website', the page has no date and its URL is no article's"
    )
    assert drops["/2026/12/too-short-to-be-news/"]["reason"] == "too_short"
    assert (
        drops["/2026/12/too-short-to-be-news/"]["detail"] == "7 words, the source's minimum is 15"
    )


@pytest.mark.wordpress
def test_a_term_the_real_wordpress_refuses_costs_the_post_that_term_only(
    tmp_path: Path, courier: Site
) -> None:
    credentials(8089)  # skipped without the harness
    wordpress = RealWordPress(8089)
    wordpress.wipe()
    config, stored = crawl(tmp_path, courier)
    refused = "Harbour " * 40  # WordPress's term names stop at 200 characters
    add_partners(config, wordpress.partner(featured_image=False))
    with config.open("a") as out:
        out.write(f'term_map = {{ "Ferries" = {json.dumps(refused.strip())} }}\n')
    result = syndicator("publish", config=config, env=wordpress.env)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "store.db"
    assert {d["status"] for d in query(db, "select status from deliveries")} == {"sent"}
    story = stored["/2026/12/ferry-timetable-extended-for-holidays/"]
    delivery = query(db, "select remote_id from deliveries where article_id = ?", (story["id"],))[0]
    post = wordpress.api("GET", f"/wp/v2/posts/{delivery['remote_id']}", context="edit")
    names = {
        t["name"]
        for t in wordpress.api("GET", "/wp/v2/tags", include=",".join(map(str, post["tags"])))
    }
    assert "Harbour" in names and "Topic number 1 of the harbour" in names
    assert len(post["tags"]) == MAX_TAGS - 1  # all but the refused one
    notes = query(db, "select * from notes where kind = 'term_left_out'")
    assert [(n["partner"], n["article_id"]) for n in notes] == [("real", story["id"])]
    assert notes[0]["detail"].startswith("tag 'Harbour Harbour")
    assert "db_insert_error" in notes[0]["detail"]
    wordpress.client.close()
