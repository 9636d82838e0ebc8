"""Bodies a partner can show as they are: the story, without the page around it.

A local site serves articles dressed as real news sites dress them: the
headline and its dek repeated inside the article's container, a byline and a
date line, "Order Reprints / Print Article", a reprint notice, newsletter and
follow-us prompts, "Read more:" pointers, another story's headline standing
alone as a link, a copyright line and a "Citation: … retrieved … from" line.
Story paragraphs that merely look like these (a year in the lead, "More than",
a newsletter in a long sentence, a list with links elsewhere) stay.
Crawled by the real command line; the store is read as a partner would get it.
A page whose story trafilatura's single pass misses gets its full cascade.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.demo.siteserver import Site
from tests.conftest import crawl_site, sitemap_site

HEADLINE = "Harbour board extends the winter ferry timetable"
DEK = "Residents of the outer islands had asked for later sailings over the holidays."
STORY = [
    "In 2026, the harbour board voted on Tuesday to extend the winter ferry timetable by "
    "two weeks, after residents of the outer islands asked for later sailings.",
    "More than 400 people signed the petition, which the board's chair said had made the "
    "difference. The extra crossings will be paid for from this year's reserve.",
    "The ferry company said it would publish the new times in its newsletter and at the "
    "piers, and that tickets already bought for cancelled sailings would be honoured.",
    "Islanders welcomed the decision but said they would keep asking for a permanent "
    "late sailing on Fridays, when most of them come back from the mainland.",
]
PRODUCTS = ["Harbour Ferry Model Kit with Lights", "Outer Islands Tide Table Poster 2027"]
OTHER_STORY = "Lighthouse keepers' cottage to become a museum next spring"


def dressed_page(other: str) -> str:
    story = "".join(f"<p>{p}</p>" for p in STORY[:2])
    story += (
        "<ul>"
        + "".join(
            f"<li>{p}, from <a href='https://shop.example/{n}'>the harbour shop</a></li>"
            for n, p in enumerate(PRODUCTS)
        )
        + "</ul>"
    )
    story += "".join(f"<p>{p}</p>" for p in STORY[2:])
    return f"""<html lang="en"><head><title>{HEADLINE} | The Courier</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{HEADLINE}">
<meta property="og:description" content="{DEK}">
<meta property="article:published_time" content="2026-12-01T09:00:00+00:00">
<meta name="author" content="Jane Roe"></head><body>
<nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<main><article><div class="article-container">
<header><h1>{HEADLINE}</h1><h2 class="dek">{DEK}</h2>
<p class="byline">By Jane Roe</p><p class="dateline">Updated: Tue., Dec. 1, 2026, 9:00 AM</p></header>
<ul class="tools"><li>Order Reprints</li><li>Print Article</li></ul>
<p>This copy is for your personal, non-commercial use only. To order presentation-ready
copies for distribution, use the Reprints tool.</p>
{story}
<p><a href="{other}">{OTHER_STORY}</a></p>
<p>Read more: Ferry fares to rise in January</p>
<p>Subscribe to The Courier's morning newsletter to get the day's news in your inbox.</p>
<p>Follow The Courier on Twitter and Facebook.</p>
<p>© 2026 The Courier. All rights reserved.</p>
<p>Citation: {HEADLINE} (2026, December 1) retrieved 2 December 2026 from
https://courier.example/2026/12/ferry/</p>
</div></article></main>
<footer><p>The Courier, Harbour Street</p></footer></body></html>"""


# trafilatura's single pass takes the container its rules know (the post's
# content) and misses the story's body in a section beside it
THIN_LEAD = "The council met on Monday evening to hear residents about the harbour plan."
SPLIT_PAGE = (
    "<html><head><title>Council hears residents on harbour plan</title>"
    '<meta property="og:type" content="article">'
    '<meta property="article:published_time" content="2026-12-01T09:00:00+00:00"></head>'
    f"<body><div class='post-content'><p>{THIN_LEAD} {THIN_LEAD} {THIN_LEAD}</p></div><section>"
    + "".join(f"<p>{p} Paragraph {n} of the council story.</p>" for n, p in enumerate(STORY * 2))
    + "</section></body></html>"
)

OTHER_PATH = "/2026/11/lighthouse-keepers-cottage-to-become-a-museum/"
PAGES = {
    "/2026/12/harbour-board-extends-winter-ferry-timetable/": "",  # filled below
    "/2026/12/council-hears-residents-on-harbour-plan/": SPLIT_PAGE,
}


@pytest.fixture
def courier() -> Iterator[Site]:
    pages = dict(PAGES)
    with sitemap_site("courier", pages) as site:
        pages["/2026/12/harbour-board-extends-winter-ferry-timetable/"] = dressed_page(
            f"{site.url}{OTHER_PATH}"
        )
        yield site


def lines(body: str) -> list[str]:
    return [" ".join(line.split()) for line in body.splitlines() if line.strip()]


def test_the_body_is_the_story_and_nothing_around_it(tmp_path: Path, courier: Site) -> None:
    _, stored = crawl_site(tmp_path, courier)
    story = stored["/2026/12/harbour-board-extends-winter-ferry-timetable/"]
    assert lines(story["body_text"]) == [
        *STORY[:2],
        *(f"- {p}, from the harbour shop" for p in PRODUCTS),
        *STORY[2:],
    ]
    html = story["body_html"]
    for left_out in (
        HEADLINE,
        DEK,
        "Jane Roe",
        "Reprints",
        "non-commercial",
        OTHER_STORY,
        "Read more",
        "Twitter",
        "©",
        "Citation",
        "Updated",
    ):
        assert left_out not in html, left_out
    assert "https://shop.example/0" in html  # the story's own links stay
    assert story["title"] == HEADLINE and story["author"] == "Jane Roe"


def test_a_story_the_single_pass_misses_is_found_by_the_full_cascade(
    tmp_path: Path, courier: Site
) -> None:
    _, stored = crawl_site(tmp_path, courier)
    body = stored["/2026/12/council-hears-residents-on-harbour-plan/"]["body_text"]
    assert THIN_LEAD in body
    for n, paragraph in enumerate(STORY * 2):
        assert f"{paragraph} Paragraph {n} of the council story." in body
