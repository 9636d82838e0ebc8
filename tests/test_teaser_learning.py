"""Related-story blocks learned from a source's pages (syndicator.teaser_learning).

A local site whose article template puts its related stories in a block that
no heading and no class word names: the detector alone finds nothing there,
the source's pages teach the place, and the next pages get their teasers.
Crawled by the real command line, run after run, into a real store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.siteserver import Site
from tests.conftest import query, syndicator, write_config
from tests.redis_server import RedisServer

# the cluster's fixtures, for request.getfixturevalue
from tests.test_cluster import cluster_config, processes, redis_server  # noqa: F401

WORDS = (
    "The council met on Tuesday to discuss the harbour, the ferry timetable and the winter "
    "budget, and residents filled the hall to hear what the mayor would say about it all."
)
FOOTER_PLACE = "ul.c-list__items < div.c-list < section.story-footer < article.story"


def story_path(n: int) -> str:
    return f"/2026/12/story-{n}-about-the-harbour/"


def related(n: int) -> list[tuple[str, str]]:
    """Three related stories of story ``n``, none shared with another story's."""
    return [
        (f"/2026/11/older-story-{n}-{k}-on-the-ferry/", f"Older story {n}.{k} on the ferry line")
        for k in range(1, 4)
    ]


def render(n: int, heading: str) -> str:
    cards = "".join(
        f"<li class='c-list__item'><a href='{path}'>{title}</a></li>" for path, title in related(n)
    )
    evergreen = "".join(
        f"<li class='c-list__item'><a href='/2026/01/evergreen-guide-{k}-to-the-city/'>"
        f"Evergreen guide {k} to the city and its parks</a></li>"
        for k in range(1, 4)
    )
    body = "".join(f"<p>{WORDS} Part {i} of story {n}.</p>" for i in range(1, 6))
    return (
        f"<html lang='en'><head><title>Story {n}</title></head><body>"
        "<header><nav class='site-nav'><a href='/'>Home</a> <a href='/news/'>News</a></nav></header>"
        f"<main id='content'><article class='story'><h1>Story {n} about the harbour</h1>"
        f"<div class='story-body'>{body}</div>"
        f"<section class='story-footer'>{heading}<div class='c-list'>"
        f"<ul class='c-list__items'>{cards}</ul></div></section></article>"
        f"<aside class='sidebar'><div class='c-list'><ul class='c-list__items'>{evergreen}</ul>"
        "</div></aside></main><footer>© The Courier</footer></body></html>"
    )


class Courier:
    """The site: the stories its sitemap lists now, each with its heading."""

    def __init__(self) -> None:
        self.listed: dict[int, str] = {}
        self.site = Site("courier", [], hook=self._answer)

    def _answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{self.site.url}{story_path(n)}</loc></url>" for n in self.listed
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        for n, heading in self.listed.items():
            if path == story_path(n):
                return (
                    200,
                    {"Content-Type": "text/html; charset=utf-8"},
                    render(n, heading).encode(),
                )
        return None


@pytest.fixture
def courier() -> Iterator[Courier]:
    served = Courier()
    served.site.start()
    try:
        yield served
    finally:
        served.site.stop()


def crawl(tmp: Path, courier: Courier, learn: bool = True) -> Path:
    source: dict[str, Any] = {"name": "courier", "sitemaps": [f"{courier.site.url}/sitemap.xml"]}
    if not learn:
        source["teasers"] = {"learn": False}
    config = write_config(tmp / "c.toml", [source])
    result = syndicator("crawl", config=config)
    assert result.returncode == 0, result.stderr
    return config


def teasers_of(db: Path, n: int) -> list[dict[str, Any]]:
    return query(
        db,
        "select t.title, t.url, a.body_text from teasers t join articles a on a.id = t.article_id "
        "where a.url like ? order by t.position",
        (f"%{story_path(n)}",),
    )


def places(config: Path, *args: str) -> list[dict[str, Any]]:
    result = syndicator("teaser-places", "--json", *args, config=config)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_block_no_heading_names_is_learned_from_pages_whose_links_change(
    tmp_path: Path, courier: Courier
) -> None:
    db = tmp_path / "store.db"
    courier.listed = dict.fromkeys(range(1, 5), "")
    config = crawl(tmp_path, courier)
    # four new pages of one run: the footer's links changed from page to page
    learned = places(config)
    assert [(p["place"], p["learned"]) for p in learned] == [(FOOTER_PLACE, "varied")]
    assert learned[0]["pages"] == 4 and learned[0]["varied"] == 3
    # the sidebar's list holds the same links on every page: seen, never learned
    seen = {p["place"]: p for p in places(config, "--all")}
    sidebar = next(p for place, p in seen.items() if "aside.sidebar" in place)
    assert sidebar["learned"] == "" and sidebar["repeated"] == 3 and sidebar["outside"] == 4

    courier.listed.update(dict.fromkeys((5, 6), ""))
    crawl(tmp_path, courier)
    for n in (5, 6):
        rows = teasers_of(db, n)
        assert [(r["title"], r["url"]) for r in rows] == [
            (title, courier.site.url + path) for path, title in related(n)
        ]
        # the block was cut from the page before its body was extracted
        assert "Older story" not in rows[0]["body_text"]
    assert not query(db, "select 1 from teasers where url like '%evergreen%'")

    # learn = false: each page to itself again
    courier.listed[7] = ""
    crawl(tmp_path, courier, learn=False)
    assert teasers_of(db, 7) == []


def test_a_place_the_detector_confirmed_finds_the_block_where_its_heading_is_missing(
    tmp_path: Path, courier: Courier
) -> None:
    db = tmp_path / "store.db"
    courier.listed = {1: "<h2>Related coverage</h2>", 2: "<h2>Related coverage</h2>"}
    config = crawl(tmp_path, courier)
    assert [len(teasers_of(db, n)) for n in (1, 2)] == [3, 3]  # the detector, by the heading
    assert [(p["place"], p["learned"]) for p in places(config)] == [(FOOTER_PLACE, "confirmed")]

    # a page whose block lost its heading: the learned place finds it
    courier.listed[3] = ""
    crawl(tmp_path, courier)
    assert [r["title"] for r in teasers_of(db, 3)] == [title for _, title in related(3)]

    # the heading decides: "Most read" at the learned place is no related block,
    # and a place once headed so is never learned again
    courier.listed[4] = "<h2>Most read</h2>"
    crawl(tmp_path, courier)
    assert teasers_of(db, 4) == []
    assert places(config) == []
    courier.listed[5] = ""
    crawl(tmp_path, courier)
    assert teasers_of(db, 5) == []


def test_teaser_places_names_an_unknown_source_as_a_typo(tmp_path: Path, courier: Courier) -> None:
    courier.listed = {1: ""}
    config = crawl(tmp_path, courier)
    result = syndicator("teaser-places", "--source", "couirer", config=config)
    assert result.returncode != 0
    assert "no source 'couirer' in the store (known: courier)" in result.stderr
    shown = syndicator("teaser-places", config=config)
    assert shown.returncode == 0 and "no teaser place learned yet" in shown.stdout


def test_cluster_workers_use_what_the_store_learned_as_each_run_starts(
    tmp_path: Path, courier: Courier, request: pytest.FixtureRequest
) -> None:
    redis: RedisServer = request.getfixturevalue("redis_server")
    start = request.getfixturevalue("processes")
    config = cluster_config(tmp_path, redis, courier.site)  # type: ignore[arg-type]
    db = tmp_path / "store.db"
    cluster = start(config, workers=1)
    courier.listed = dict.fromkeys(range(1, 5), "")
    first = cluster.coordinate("crawl")
    assert first.returncode == 0, first.stderr
    # the ingest stored the workers' observations: the store learned the place
    assert [(p["place"], p["learned"]) for p in places(config)] == [(FOOTER_PLACE, "varied")]

    # the next run's workers get it from the coordinator (they have no store)
    courier.listed.update(dict.fromkeys((5, 6), ""))
    second = cluster.coordinate("crawl")
    assert second.returncode == 0, second.stderr
    for n in (5, 6):
        assert [r["title"] for r in teasers_of(db, n)] == [title for _, title in related(n)]
