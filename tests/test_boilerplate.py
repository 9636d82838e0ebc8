"""Lines a source repeats across its articles are learned and cut, new and stored.

A local site publishes press releases whose bodies end with the company's
standing lines ("About Harbour Works: …", a media contact); every release also
shares a background paragraph in its middle, which is the story's and stays.
Crawled and published (Atom) by the real command line: with two releases
nothing is learned yet; once the site has four, the crawl learns the standing
lines, cuts them from the stored bodies as a new revision, and the partner's
copies are updated; a fifth release is stored without them from the start.
An operator's pins settle a line either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from syndicator.demo.siteserver import Site
from tests.conftest import SHARED, add_partners, query, sitemap_site, syndicator, write_config

STORIES = [
    [p for p in t["articleBody"].split("\n") if len(p.split()) > 25][:3]
    for t in json.loads(
        (SHARED / "corpora" / "zyte-aeb" / "ground-truth.json").read_text()
    ).values()
]
STORIES = [s for s in STORIES if len(s) == 3][:6]
BACKGROUND = (
    "Harbour Works has built the ferry ramps of the outer islands since 1962, and the "
    "council's contract for their upkeep runs until the end of the decade."
)
ABOUT = (
    "About Harbour Works: Harbour Works is a maker of ferry ramps and harbour cranes, "
    "headquartered in Northgate, with subsidiaries in 15 countries and around 1,300 "
    "people worldwide."
)
CONTACT = "Media contact: the press office of Harbour Works, Quay Street, Northgate."
STANDING = (ABOUT, CONTACT)


def release(n: int) -> str:
    first, second, third = STORIES[n]
    paragraphs = [first, second, BACKGROUND, third, *STANDING]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>Release {n}</title>"
        '<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2026-11-2{n}T09:00:00+00:00">'
        f"</head><body><main><article><h1>Release number {n} of Harbour Works</h1>"
        f"<div class='entry'>{body}</div></article></main></body></html>"
    )


def path(n: int) -> str:
    return f"/news/2026/11/harbour-works-release-{n}/"


@pytest.fixture
def works() -> Iterator[tuple[Site, dict[str, str]]]:
    pages = {path(n): release(n) for n in range(2)}
    with sitemap_site("works", pages) as site:
        yield site, pages


def bodies(db: Path) -> dict[str, dict[str, object]]:
    rows = query(db, "select url, body_text, body_html, revision, republish_html from articles")
    return {row["url"].rsplit("/", 2)[-2]: row for row in rows}


def atom_entries(tmp_path: Path) -> dict[str, str]:
    feed = feedparser.parse((tmp_path / "feed.atom").read_bytes())
    return {entry.link.rsplit("/", 2)[-2]: entry.content[0].value for entry in feed.entries}


def test_standing_lines_are_learned_and_cut_from_stored_and_new_bodies(
    tmp_path: Path, works: tuple[Site, dict[str, str]]
) -> None:
    site, pages = works
    config = write_config(
        tmp_path / "c.toml", [{"name": "works", "sitemaps": [f"{site.url}/sitemap.xml"]}]
    )
    add_partners(config, {"name": "feed", "kind": "atom", "path": "feed.atom"})
    db = tmp_path / "store.db"

    # two releases: a line in two articles is not learned yet
    assert syndicator("run", config=config).returncode == 0
    assert all(ABOUT in row["body_text"] for row in bodies(db).values())
    assert all(ABOUT in html for html in atom_entries(tmp_path).values())

    # four: learned at the end of the crawl, cut from what is stored, partners updated
    pages.update({path(n): release(n) for n in range(2, 4)})
    result = syndicator("run", config=config)
    assert result.returncode == 0, result.stderr
    stored = bodies(db)
    assert len(stored) == 4
    for name, row in stored.items():
        for line in STANDING:
            assert line not in row["body_text"] and line not in row["body_html"], name
            assert line not in row["republish_html"], name
        assert BACKGROUND in row["body_text"], name  # the story's, though every release has it
        assert STORIES[int(name.rsplit("-", 1)[1])][2] in row["body_text"]
        assert row["revision"] == 2, name  # the first body kept as revision 1
    entries = atom_entries(tmp_path)
    assert len(entries) == 4
    assert not any(ABOUT in html for html in entries.values())
    learned = query(db, "select line, pages, learned from boilerplate where learned = 1")
    assert sorted(row["line"] for row in learned) == sorted(STANDING)
    listed = syndicator("boilerplate", "--json", config=config)
    assert sorted(row["line"] for row in json.loads(listed.stdout)) == sorted(STANDING)

    # a new release: cut as it is extracted, one revision; a recrawl changes nothing
    pages[path(4)] = release(4)
    assert syndicator("run", config=config).returncode == 0
    fifth = bodies(db)["harbour-works-release-4"]
    assert ABOUT not in fifth["body_text"] and fifth["revision"] == 1
    assert BACKGROUND in fifth["body_text"]
    assert all(row["revision"] == 2 for name, row in bodies(db).items() if not name.endswith("4"))


def test_an_operators_pins_settle_a_line_either_way(
    tmp_path: Path, works: tuple[Site, dict[str, str]]
) -> None:
    site, pages = works
    pages.update({path(n): release(n) for n in range(2, 4)})
    config = write_config(
        tmp_path / "c.toml", [{"name": "works", "sitemaps": [f"{site.url}/sitemap.xml"]}]
    )
    db = tmp_path / "store.db"
    # a line no count would learn, pinned; a learned one pinned "keep"
    assert syndicator("crawl", config=config).returncode == 0
    pinned = syndicator("boilerplate", "pin", CONTACT, "--source", "works", "--keep", config=config)
    assert pinned.returncode == 0, pinned.stderr
    first = STORIES[5][0]
    pin = syndicator("boilerplate", "pin", first, "--source", "works", config=config)
    assert pin.returncode == 0 and "pinned as boilerplate" in pin.stdout
    pages[path(5)] = release(5)
    assert syndicator("crawl", config=config).returncode == 0
    sixth = bodies(db)["harbour-works-release-5"]
    assert first not in sixth["body_text"] and ABOUT not in sixth["body_text"]
    assert CONTACT in sixth["body_text"]
    listed = json.loads(syndicator("boilerplate", "--json", config=config).stdout)
    states = {row["line"]: (row["learned"], row["pinned"]) for row in listed}
    assert states[CONTACT][1] == "keep" and states[first] == (1, "boilerplate")
    # unpinned, the counts decide again (it was in four releases at their end);
    # an unknown source is one line, exit 1
    unpin = syndicator("boilerplate", "unpin", CONTACT, "--source", "works", config=config)
    assert unpin.returncode == 0, unpin.stderr
    again = json.loads(syndicator("boilerplate", "--json", config=config).stdout)
    assert {row["line"]: row["learned"] for row in again}[CONTACT] == 1
    missing = syndicator("boilerplate", "--source", "nope", config=config)
    assert missing.returncode == 1 and "no source 'nope'" in missing.stderr
