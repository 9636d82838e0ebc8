"""JSON Feed (versions 1 and 1.1): read by read_feed, and crawled as a source's
feed like RSS and Atom, conditional GET included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spiders.discovery import read_feed
from syndicator.demo.siteserver import Site
from tests.conftest import query, syndicator, write_config

HEADERS = {"content-type": "application/feed+json"}
FEED_URL = "http://news.example/feed.json"


def feed(items: list[Any], **top: Any) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", **top, "items": items}
    ).encode()


def test_items_become_entries_with_their_hints() -> None:
    body = feed(
        [
            {
                "id": "a-1",
                "url": "/2026/12/bridge/?utm_source=feed",
                "external_url": "https://elsewhere.example/report",
                "title": "Bridge repairs begin",
                "date_published": "2026-12-01T09:00:00+01:00",
                "date_modified": "2026-12-02T10:30:00Z",
                "authors": [{"name": "Ada Byline"}, {"name": "Cy Second"}],
                "tags": ["Transport", " ", 7],
                "language": "en-GB",
            },
            # no url: an http(s) id is the link; no authors: the feed's
            {"id": "https://news.example/2026/12/ferry/", "date_published": "2026-12-03"},
        ],
        authors=[{"name": "The Newsroom"}],
        language="en",
    )
    result = read_feed(body, FEED_URL, HEADERS)
    assert result.problems == []
    bridge, ferry = result.entries
    assert bridge.url == "http://news.example/2026/12/bridge/"  # relative, tracking removed
    assert bridge.date == "2026-12-02T10:30:00+00:00"  # the newest date the feed gives
    assert bridge.hints == {
        "title": "Bridge repairs begin",
        "author": "Ada Byline, Cy Second",
        "published_at": "2026-12-01T08:00:00+00:00",
        "published_local": "2026-12-01T09:00:00+01:00",  # as the feed printed it
        "modified_at": "2026-12-02T10:30:00+00:00",
        "tags": ["Transport"],
        "language": "en-GB",
    }
    assert ferry.url == "https://news.example/2026/12/ferry/"
    assert ferry.hints == {
        "author": "The Newsroom",
        "published_at": "2026-12-03T00:00:00+00:00",
        "language": "en",
    }


def test_version_1_single_author_and_json_media_type() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "author": {"name": "Old Style"},
            "items": [{"id": "1", "url": "https://news.example/a/"}],
        }
    ).encode()
    # served as plain application/json, with a byte-order mark
    [entry] = read_feed(
        b"\xef\xbb\xbf" + body, FEED_URL, {"content-type": "application/json"}
    ).entries
    assert entry.hints == {"author": "Old Style"}


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            ["malformed feed: not valid JSON"],
        ),
        (b'["https://news.example/a/"]', ["malformed feed: a JSON Feed is a JSON object"]),
        (
            b'{"title": "no version, no items"}',
            [
                "malformed feed: no JSON Feed version",
                "malformed feed: JSON Feed without an items list",
            ],
        ),
    ],
)
def test_broken_json_feeds_are_one_line_problems(body: bytes, problems: list[str]) -> None:
    result = read_feed(body, FEED_URL, HEADERS)
    assert result.entries == []
    assert [p.split(" (")[0] for p in result.problems] == [*problems, "no entries could be read"]
    assert all("\n" not in p for p in result.problems)


def test_a_broken_item_loses_nothing_else() -> None:
    body = json.dumps(
        {"items": ["not an item", {"title": "no link"}, {"url": "https://news.example/ok/"}]}
    ).encode()
    result = read_feed(body, FEED_URL, HEADERS)
    assert [e.url for e in result.entries] == ["https://news.example/ok/"]
    assert result.problems == [
        "malformed feed: no JSON Feed version (https://jsonfeed.org/version/…)",
        "2 feed entries without a usable link",
    ]


def test_xml_served_as_json_is_still_read_as_xml() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><link>https://news.example/rss-item/</link></item></channel></rss>"
    )
    result = read_feed(rss, FEED_URL, {"content-type": "application/json"})
    assert [e.url for e in result.entries] == ["https://news.example/rss-item/"]


ARTICLE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
)


def _article(title: str, n: int) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the {title.lower()} story, with enough plain words in it "
        f"to make an article body that no extractor mistakes for boilerplate ({n}).</p>"
        for i in range(6)
    )
    return ARTICLE.format(title=title, paragraphs=paragraphs)


def test_a_json_feed_source_is_crawled_and_then_answered_304(tmp_path: Path) -> None:
    root = tmp_path / "site"
    for n, slug in enumerate(("harbour-lights", "night-market")):
        (root / slug).mkdir(parents=True)
        (root / slug / "index.html").write_text(_article(slug.replace("-", " ").title(), n))
    (root / "feed.json").write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Quayside Weekly",
                "authors": [{"name": "Quayside Desk"}],
                "items": [
                    {
                        "id": "1",
                        "url": "{{SITE}}/harbour-lights/",
                        "date_published": "2026-12-01T08:00:00Z",
                        "authors": [{"name": "Mina Okafor"}],
                        "tags": ["Harbour"],
                    },
                    {"id": "2", "url": "{{SITE}}/night-market/", "date_published": "2026-12-02"},
                ],
            }
        )
    )
    with Site("quayside", [root]) as site:
        config = write_config(
            tmp_path / "c.toml", [{"name": "quayside", "feeds": [f"{site.url}/feed.json"]}]
        )
        first = syndicator("crawl", config=config)
        assert first.returncode == 0, first.stderr
        assert "crawl finished; 2 new" in first.stdout
        before = len(site.requests)
        second = syndicator("crawl", config=config)
        assert second.returncode == 0, second.stderr
        again = site.requests[before:]
    db = tmp_path / "store.db"
    rows = {
        r["url"].rsplit("/", 2)[1]: r
        for r in query(db, "select url, author, published_at, tags from articles")
    }
    assert rows["harbour-lights"]["author"] == "Mina Okafor"
    assert rows["harbour-lights"]["published_at"] == "2026-12-01T08:00:00+00:00"
    assert "Harbour" in json.loads(rows["harbour-lights"]["tags"])
    assert rows["night-market"]["author"] == "Quayside Desk"  # the feed's authors
    [state] = query(db, "select status, error, etag from fetch_state where url like '%feed.json'")
    assert state["error"] is None and state["etag"]
    # the second run asks with the feed's validators, gets 304, fetches no article
    feed_requests = [r for r in again if r.path == "/feed.json"]
    assert [r.status for r in feed_requests] == [304]
    assert "If-None-Match" in feed_requests[0].headers
    assert [r.path for r in again if r.path not in ("/feed.json", "/robots.txt")] == []
