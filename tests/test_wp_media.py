"""The featured image on WordPress is uploaded once, however an attempt ends.

Each article's image goes up with a slug of its own (``syndicator-<id>-image``).
When the partner stored the upload but syndicator never learnt the media id (the
answer was lost, or the process was SIGKILLed before the id reached the store),
the next attempt finds the media item by that slug and reuses it: the partner
keeps one media item per article, the post's featured image. A first attempt
never pays for the lookup."""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicator.demo.receivers.faults import Fault, RecordedRequest
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site
from syndicator.partners.wordpress import media_slug
from tests.conftest import ROOT, add_partners, query, real_stories, syndicator, write_config

WP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"
STORIES = {"harbour": (3, 2), "bridge": (4, 4)}  # story -> the size of its PNG image
# two real, unrelated article bodies, so neither story is a near-duplicate of the other
BODIES = real_stories()[:2]


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + b"\x00\x80\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.fixture(scope="module")
def source() -> Iterator[Site]:
    """A source with two stories, each with an og:image it serves."""
    site = Site("source", [])

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>{name}</title><link>{site.url}/story/{name}/</link></item>"
                for name in STORIES
            )
            body = f'<rss version="2.0"><channel><title>s</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        name = path.strip("/").rpartition("/")[2].removesuffix(".png")
        if path.startswith("/story/") and name in STORIES:
            body = BODIES[list(STORIES).index(name)]
            paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
            html = (
                f"<html><head><title>The {name} story</title><meta property='og:image' "
                f"content='{site.url}/img/{name}.png'></head><body><article>"
                f"<h1>The {name} story</h1>{paragraphs}</article></body></html>"
            )
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        if path.startswith("/img/") and name in STORIES:
            return 200, {"Content-Type": "image/png"}, png(*STORIES[name])
        return None

    site.hook = hook
    with site:
        yield site


@pytest.fixture(scope="module")
def crawled(source: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("crawled")
    config = write_config(tmp / "c.toml", [source_config(source)])
    result = syndicator("crawl", config=config)
    assert result.returncode == 0, result.stderr
    db = tmp / "store.db"
    images = query(db, "select image_url from articles where duplicate_of is null")
    assert len(images) == len(STORIES) and all(i["image_url"] for i in images)
    return db


@pytest.fixture
def wordpress() -> Iterator[WordPressReceiver]:
    with WordPressReceiver(username="editor", app_password=WP_PASSWORD) as receiver:
        yield receiver


def source_config(source: Site) -> dict[str, Any]:
    return {"name": "s", "feeds": [f"{source.url}/feed.xml"], "min_words": 20}


def publishing(
    tmp: Path, source: Site, crawled: Path, wordpress: WordPressReceiver, **options: Any
) -> tuple[Path, Path]:
    """A config with the one WordPress partner, over a copy of the crawled store."""
    db = tmp / "store.db"
    src, dst = sqlite3.connect(crawled), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    config = write_config(tmp / "c.toml", [source_config(source)])
    partner = {
        "name": "wp",
        "kind": "wordpress",
        "url": wordpress.url,
        "username": "editor",
        "password_env": "TEST_WP_PASSWORD",
        "allow_networks": ["127.0.0.1/32"],
        **options,
    }
    add_partners(config, partner)
    return config, db


ENV = {"TEST_WP_PASSWORD": WP_PASSWORD}


def media_lookups(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [r for r in requests if r.method == "GET" and r.route == "/wp/v2/media"]


def uploads(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [r for r in requests if r.method == "POST" and r.route == "/wp/v2/media"]


def assert_one_image_per_article(wordpress: WordPressReceiver, db: Path) -> None:
    """One post and one media item per article, the post showing that item."""
    articles = query(db, "select id from articles")
    rows = {r["article_id"]: r for r in query(db, "select * from deliveries where partner = 'wp'")}
    posts, media = wordpress.posts, wordpress.media
    assert len(posts) == len(articles) == len(STORIES)
    assert len(media) == len(articles), sorted(m["slug"] for m in media.values())  # no orphan
    by_slug = {m["slug"]: m for m in media.values()}
    for article in articles:
        item = by_slug[media_slug(article["id"])]
        row = rows[article["id"]]
        assert row["status"] == "sent" and row["media_id"] == str(item["id"])
        assert posts[int(row["remote_id"])]["featured_media"] == item["id"]


def test_an_upload_whose_answer_was_lost_is_found_again(
    tmp_path: Path, source: Site, crawled: Path, wordpress: WordPressReceiver
) -> None:
    config, db = publishing(tmp_path, source, crawled, wordpress)
    # the partner stores the first upload, then answers 500: the retry must not upload again
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/media$", status=500, after=True))
    result = syndicator("publish", config=config, env=ENV)
    assert result.returncode == 0, result.stderr
    assert_one_image_per_article(wordpress, db)
    sent = uploads(wordpress.requests)
    assert sorted(r.status for r in sent) == [201, 500]  # the lost one was not sent again
    ids = [a["id"] for a in query(db, "select id from articles")]
    assert {r.query["slug"] for r in sent} == {media_slug(i) for i in ids}
    [lost] = [r for r in sent if r.status == 500]
    # only the retry of the lost upload looked for it; first attempts did not
    [lookup] = media_lookups(wordpress.requests)
    assert lookup.status == 200 and lookup.query["slug"] == lost.query["slug"]
    assert "status" not in lookup.query  # attachments list as "inherit" by default


def test_an_upload_killed_before_its_id_was_stored_is_found_again(
    tmp_path: Path, source: Site, crawled: Path, wordpress: WordPressReceiver
) -> None:
    # one delivery at a time, so the kill lands in the first article's upload only
    config, db = publishing(tmp_path, source, crawled, wordpress, concurrency=1)
    wordpress.faults.add(
        Fault(method="POST", path=r"^/wp/v2/media$", status=None, after=True, delay=10)
    )
    command = [sys.executable, "-m", "syndicator", "--config", str(config), "publish"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not wordpress.media and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert process.poll() is None, "publish ended before the upload was stored"
        assert wordpress.media, "the upload never reached the partner"
    finally:
        process.kill()  # SIGKILL: the media id never reaches the store
        process.wait()
    [orphan] = wordpress.media.values()
    assert wordpress.posts == {}
    assert media_lookups(wordpress.requests) == []  # a first attempt does not look
    [killed] = query(db, "select * from deliveries where partner = 'wp' and attempts > 0")
    assert killed["status"] == "sending" and killed["media_id"] is None
    assert orphan["slug"] == media_slug(killed["article_id"])

    before = len(wordpress.requests)
    again = syndicator("publish", config=config, env=ENV)
    assert again.returncode == 0, again.stderr
    assert_one_image_per_article(wordpress, db)
    assert wordpress.media[orphan["id"]]["slug"] == orphan["slug"]  # reused, not replaced
    # the killed delivery looked its image up; the other, on its first attempt, did not
    [lookup] = media_lookups(wordpress.requests[before:])
    assert lookup.query["slug"] == orphan["slug"]
    assert len(uploads(wordpress.requests[before:])) == 1


def test_the_receiver_numbers_and_finds_media_slugs_as_wordpress_does(
    wordpress: WordPressReceiver,
) -> None:
    headers = {"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="a.png"'}
    auth = ("editor", WP_PASSWORD)
    with httpx.Client(base_url=f"{wordpress.url}/wp-json", auth=auth, timeout=5) as client:
        post = client.post("/wp/v2/posts", json={"title": "Taken", "status": "publish"}).json()
        slugs = []
        for wanted in ("Story Image", "story-image", "taken", ""):
            params = {"slug": wanted} if wanted else {}
            made = client.post("/wp/v2/media", content=png(1, 1), headers=headers, params=params)
            assert made.status_code == 201
            slugs.append(made.json()["slug"])
        # sanitized, numbered when taken (by media or by a post), else from the title
        assert slugs == ["story-image", "story-image-2", "taken-2", "a-3"]
        assert post["slug"] == "taken"

        found = client.get("/wp/v2/media", params={"slug": "story-image"})
        assert [m["slug"] for m in found.json()] == ["story-image"]
        assert found.json()[0]["status"] == "inherit"
        both = client.get("/wp/v2/media", params={"slug": "story-image,STORY-IMAGE-2"}).json()
        assert sorted(m["slug"] for m in both) == ["story-image", "story-image-2"]
        assert client.get("/wp/v2/media", params={"slug": "nothing"}).json() == []
        inherit = client.get("/wp/v2/media", params={"slug": "taken-2", "status": "inherit"})
        assert len(inherit.json()) == 1
        assert client.get("/wp/v2/media", params={"status": "trash"}).json() == []
        bad = client.get("/wp/v2/media", params={"status": "publish"})
        assert (bad.status_code, bad.json()["code"]) == (400, "rest_invalid_param")
        assert "status[0] is not one of inherit, private, and trash." in bad.text
        edit = client.get("/wp/v2/media", params={"slug": "taken-2", "context": "edit"}).json()
        assert edit[0]["title"]["raw"] == "a-2"
    with httpx.Client(base_url=f"{wordpress.url}/wp-json", timeout=5) as anonymous:
        assert len(anonymous.get("/wp/v2/media", params={"slug": "taken-2"}).json()) == 1
        forbidden = anonymous.get("/wp/v2/media", params={"status": "trash"})
        assert (forbidden.status_code, forbidden.json()["data"]["params"]) == (
            400,
            {"status": "Status is forbidden."},
        )


def test_an_upload_that_fails_for_a_while_is_retried_with_its_image(
    tmp_path: Path, source: Site, crawled: Path, wordpress: WordPressReceiver
) -> None:
    """A 503 on the upload may pass: the delivery is tried again, image and all,
    rather than going out without it."""
    config, db = publishing(tmp_path, source, crawled, wordpress)
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/media$", status=503, times=2))
    result = syndicator("publish", config=config, env=ENV)
    assert result.returncode == 0, result.stderr
    assert_one_image_per_article(wordpress, db)
    assert sorted(r.status for r in uploads(wordpress.requests)) == [201, 201, 503, 503]
    assert query(db, "select * from notes") == []


def test_on_the_last_attempt_the_post_goes_without_the_image(
    tmp_path: Path, source: Site, crawled: Path, wordpress: WordPressReceiver
) -> None:
    """When the delivery's last allowed attempt still cannot upload the image, the
    post goes out without it (after checking that the failed upload did not land)."""
    config, db = publishing(tmp_path, source, crawled, wordpress, max_attempts=1)
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/media$", status=503, times=10))
    result = syndicator("publish", config=config, env=ENV)
    assert result.returncode == 0, result.stderr
    rows = query(db, "select * from deliveries where partner = 'wp'")
    assert len(rows) == len(STORIES) and {r["status"] for r in rows} == {"sent"}
    assert {r["media_id"] for r in rows} == {None}
    assert [p["featured_media"] for p in wordpress.posts.values()] == [0] * len(STORIES)
    assert wordpress.media == {}
    assert len(media_lookups(wordpress.requests)) == len(STORIES)  # it did not land
    notes = query(db, "select * from notes where kind = 'image_left_out' and partner = 'wp'")
    assert sorted(n["article_id"] for n in notes) == sorted(r["article_id"] for r in rows)
    assert {n["detail"] for n in notes} == {"the partner's upload kept failing: HTTP 503"}
