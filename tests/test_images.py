"""Featured images: what reaches a partner's media library is an image by its
bytes, fetched on behalf of the article's own source only, in bounded time and
memory; and an image that cannot be used costs the post its picture, never the
post (``notes`` says why, kind ``image_left_out``).

A source site on 127.0.0.1 serves stories in groups (``/feed/<group>.xml``),
each with an og:image: a script labelled ``image/png`` under a ``.html`` name,
an SVG, a PNG under a name without extension, a JPEG labelled PNG, an AVIF
(which WordPress 6.1 refuses), and images on a hostile server that never end,
inflate to a gigabyte, or drip. Each test crawls its group with the real CLI,
publishes to the local WordPress receiver and checks what the partner holds.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.receivers.faults import Fault, RecordedRequest
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site
from syndicator.images import looks_like, sniff
from syndicator.partners.wordpress import media_slug
from tests import test_ssrf
from tests.conftest import ROOT, add_partners, query, syndicator, write_config
from tests.hostile_server import (
    HostileServer,
    endless,
    gzip_bomb,
    static,
    trickle_body,
)
from tests.test_hostile import _MEASURE, prose
from tests.test_wp_media import ENV, WP_PASSWORD, media_lookups, png, uploads

canary = test_ssrf.canary  # the fixture: a server on 127.0.0.1 that must never be reached

SCRIPT = b"<script>fetch('/wp-admin/user-new.php')</script>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64)

# story -> (group, og:image path, what the image path answers: (type, body) or a hostile route)
STORIES: dict[str, tuple[str, str, Any]] = {
    "evil": ("bytes", "/img/evil.html", ("image/png", SCRIPT)),
    "vector": ("bytes", "/img/logo.svg", ("image/svg+xml", SVG)),
    "bare": ("bytes", "/img/photo", ("image/png", png(3, 2))),
    "mislabelled": ("bytes", "/img/pic.png", ("image/png", JPEG)),
    "modern": ("refused", "/img/pic.avif", ("image/avif", AVIF)),
    "endless": ("hostile", "/endless.png", endless(png(1, 1), bytes(64 * 1024), "image/png")),
    "bomb": (
        "hostile",
        "/bomb.png",
        static(gzip_bomb(1024), "image/png", Content_Encoding="gzip"),
    ),
    # the headers at once, then one byte a second: each read is quick, the whole is not
    "drip": (
        "hostile",
        "/drip.png",
        trickle_body(png(40, 40), every=1.0, content_type="image/png"),
    ),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        for _, path, answer in STORIES.values():
            if callable(answer):
                server.add(path, answer)
        yield server


@pytest.fixture(scope="module")
def source(hostile: HostileServer) -> Iterator[Site]:
    site = Site("images", [])

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path.startswith("/feed/"):
            group = path.removeprefix("/feed/").removesuffix(".xml")
            items = "".join(
                f"<item><title>The {name} story</title><link>{site.url}/story/{name}/</link></item>"
                for name, (in_group, _, _) in STORIES.items()
                if in_group == group
            )
            body = f'<rss version="2.0"><channel><title>s</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        name = path.removeprefix("/story/").strip("/")
        if path.startswith("/story/") and name in STORIES:
            _, image_path, answer = STORIES[name]
            image = (hostile.url if callable(answer) else site.url) + image_path
            paragraphs = "".join(f"<p>{p}</p>" for p in prose(list(STORIES).index(name), 8))
            html = (
                f"<html><head><title>The {name} story</title><meta property='og:image' "
                f"content='{image}'></head><body><article><h1>The {name} story</h1>"
                f"{paragraphs}</article></body></html>"
            )
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        for _, image_path, answer in STORIES.values():
            if path == image_path and not callable(answer):
                return 200, {"Content-Type": answer[0]}, answer[1]
        return None

    site.hook = hook
    with site:
        yield site


@pytest.fixture
def wordpress() -> Iterator[WordPressReceiver]:
    with WordPressReceiver(username="editor", app_password=WP_PASSWORD) as receiver:
        yield receiver


def crawl_group(tmp: Path, source: Site, group: str, partner_url: str, **options: Any) -> Path:
    """Crawl one group of stories into a fresh store; returns a config that also has
    the WordPress partner ``wp`` at ``partner_url`` (``options`` are its keys)."""
    config = write_config(
        tmp / "c.toml",
        [{"name": "s", "feeds": [f"{source.url}/feed/{group}.xml"], "min_words": 20}],
    )
    result = syndicator("crawl", config=config)
    assert result.returncode == 0, result.stderr
    partner = {
        "name": "wp",
        "kind": "wordpress",
        "url": partner_url,
        "username": "editor",
        "password_env": "TEST_WP_PASSWORD",
        "allow_networks": ["127.0.0.1/32"],
        **options,
    }
    add_partners(config, partner)
    return config


def by_story(db: Path) -> dict[str, dict[str, Any]]:
    """Each story's article, its delivery to ``wp`` and its image note, by story name."""
    rows = query(
        db,
        """select a.id, a.url, a.title, d.status, d.remote_id, d.media_id, d.last_error,
             n.detail as note, n.times as noted, n.source as note_source
           from articles a left join deliveries d on d.article_id = a.id and d.partner = 'wp'
           left join notes n on n.article_id = a.id and n.partner = 'wp'
             and n.kind = 'image_left_out'""",
    )
    return {r["title"].split()[1]: r for r in rows}


def image_hits(source: Site, path: str) -> int:
    return len(source.fetched(path))


def upload_names(requests: list[RecordedRequest]) -> list[tuple[str, str]]:
    return [
        (r.headers.get("Content-Type", ""), r.headers.get("Content-Disposition", ""))
        for r in uploads(requests)
    ]


def test_only_images_by_their_bytes_reach_the_media_library(
    tmp_path: Path, source: Site, wordpress: WordPressReceiver
) -> None:
    config = crawl_group(tmp_path, source, "bytes", wordpress.url)
    result = syndicator("publish", config=config, env=ENV)
    assert result.returncode == 0, result.stderr
    stories = by_story(tmp_path / "store.db")
    assert set(stories) == {"evil", "vector", "bare", "mislabelled"}
    # every article is a post, with or without its picture
    assert {s["status"] for s in stories.values()} == {"sent"}
    posts = {str(p["id"]): p for p in wordpress.posts.values()}
    assert len(posts) == 4

    # the media library holds images only, under names and types syndicator chose
    media = wordpress.media
    assert sorted(m["mime_type"] for m in media.values()) == ["image/jpeg", "image/png"]
    files = sorted(m["source_url"].rpartition("/")[2] for m in media.values())
    bare, mislabelled = stories["bare"]["id"][:16], stories["mislabelled"]["id"][:16]
    assert files == sorted([f"syndicator-{bare}.png", f"syndicator-{mislabelled}.jpg"])
    assert sorted(upload_names(wordpress.requests)) == sorted(
        [
            ("image/jpeg", f'attachment; filename="syndicator-{mislabelled}.jpg"'),
            ("image/png", f'attachment; filename="syndicator-{bare}.png"'),
        ]
    )
    for name in ("bare", "mislabelled"):
        post = posts[stories[name]["remote_id"]]
        assert post["featured_media"] == int(stories[name]["media_id"])
        assert media[post["featured_media"]]["slug"] == media_slug(stories[name]["id"])
        assert stories[name]["note"] is None

    # the script and the SVG never left syndicator; the posts went without them
    for name, looks in (("evil", "HTML"), ("vector", "SVG")):
        story = stories[name]
        assert posts[story["remote_id"]]["featured_media"] == 0
        assert story["media_id"] is None
        assert story["note"] == f"not an image by its bytes (looks like {looks})"
        assert (story["noted"], story["note_source"]) == (1, "s")
    assert not any(
        m["source_url"].endswith((".html", ".svg")) or not m["mime_type"].startswith("image/")
        for m in media.values()
    )


def test_a_refused_upload_means_a_post_without_the_image(
    tmp_path: Path, source: Site, wordpress: WordPressReceiver
) -> None:
    """WordPress 6.1 refuses AVIF (500 rest_upload_sideload_error, as measured on
    the real one): the post goes out without it, and the in-run retry after a lost
    post answer neither downloads nor uploads that image again."""
    config = crawl_group(tmp_path, source, "refused", wordpress.url)
    before = image_hits(source, "/img/pic.avif")
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/posts$", status=503))
    result = syndicator("publish", config=config, env=ENV)
    assert result.returncode == 0, result.stderr
    [story] = by_story(tmp_path / "store.db").values()
    assert story["status"] == "sent" and story["media_id"] is None
    [post] = wordpress.posts.values()
    assert post["featured_media"] == 0 and wordpress.media == {}
    assert story["note"] == (
        "partner refused the upload: HTTP 500 rest_upload_sideload_error: "
        "Sorry, you are not allowed to upload this file type."
    )
    assert story["noted"] == 1
    assert image_hits(source, "/img/pic.avif") - before == 1  # downloaded once
    assert [r.status for r in uploads(wordpress.requests)] == [500]  # offered once
    assert media_lookups(wordpress.requests) == []  # nothing to look for: it was refused
    posts = [r for r in wordpress.requests if r.method == "POST" and r.route == "/wp/v2/posts"]
    assert [r.status for r in posts] == [503, 201]


def run_measured(
    config: Path, limit: float = 150
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``syndicator publish`` with its peak RSS (MB) and time (s). Its address space
    is capped at 2 GB, so a publish that reads a bomb whole fails rather than
    taking the machine's memory."""
    rss_file = config.parent / "peak_rss_kb"
    command = [sys.executable, "-c", _MEASURE, str(rss_file)]
    command += [sys.executable, "-m", "syndicator", "--config", str(config), "publish"]

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=cap,
    )
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"publish did not finish in {limit:.0f} s (killed); stderr:\n{stderr[-3000:]}")
    seconds = time.monotonic() - started
    peak = int(rss_file.read_text()) / 1024 if rss_file.exists() else float("nan")
    print(f"\npublish: {seconds:.1f} s, peak RSS {peak:.0f} MB")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), seconds, peak


@pytest.mark.slow
def test_endless_inflating_and_dripping_images_are_cut_off(
    tmp_path: Path, source: Site, hostile: HostileServer, wordpress: WordPressReceiver
) -> None:
    # a 4 s partner timeout: each drip read is quicker, the whole image is not
    config = crawl_group(tmp_path, source, "hostile", wordpress.url, timeout=4)
    result, seconds, peak_mb = run_measured(config)
    assert result.returncode == 0, result.stderr[-3000:]
    # bounded, not forever: the drip alone would take 2 min, the endless body 60 s
    assert seconds < 45
    assert peak_mb < 300  # a gigabyte bomb and endless bodies never sit in memory
    stories = by_story(tmp_path / "store.db")
    assert {s["status"] for s in stories.values()} == {"sent"}
    assert [p["featured_media"] for p in wordpress.posts.values()] == [0, 0, 0]
    assert wordpress.media == {} and uploads(wordpress.requests) == []
    assert {name: s["note"] for name, s in stories.items()} == {
        "endless": "larger than 10 MB",
        "bomb": "larger than 10 MB",
        "drip": "took longer than 4 s",
    }
    assert all(hostile.hits[path] == 1 for path in ("/endless.png", "/bomb.png", "/drip.png"))


def test_a_sources_networks_are_not_lent_to_another(tmp_path: Path, canary: Site) -> None:
    """Source ``public`` (on 127.0.0.2, allowed only that) has an og:image on the
    canary's address; source ``insider`` may reach 127.0.0.1. The image is fetched
    on ``public``'s behalf, so it is refused: the canary is never reached."""
    site = test_ssrf.source_site(canary)
    wordpress = WordPressReceiver(username="editor", app_password=WP_PASSWORD)
    try:
        wordpress.start()
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "public",
                    "feeds": [f"{site.url}/feed.xml"],
                    "min_words": 20,
                    "allow_networks": ["127.0.0.2/32"],
                },
                {"name": "insider", "feeds": [f"{site.url}/none.xml"]},  # allows 127.0.0.1
            ],
        )
        with config.open("a") as out:
            out.write(
                f'\n[[partners]]\nname = "wp"\nkind = "wordpress"\nurl = "{wordpress.url}"\n'
                'username = "editor"\npassword_env = "TEST_WP_PASSWORD"\n'
                'allow_networks = ["127.0.0.1/32"]\n'
            )
        result = syndicator("run", "--source", "public", config=config, env=ENV)
    finally:
        site.stop()
        wordpress.stop()
    assert result.returncode == 0, result.stderr
    assert canary.requests == []
    [story] = by_story(tmp_path / "store.db").values()
    assert story["status"] == "sent" and story["media_id"] is None
    [post] = wordpress.posts.values()
    assert post["featured_media"] == 0
    assert story["note"] == (
        "not fetched: localhost is 127.0.0.1, a non-public address; "
        "list its network in source 'public''s allow_networks to allow it"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (png(1, 1), ("image/png", "png")),
        (JPEG, ("image/jpeg", "jpg")),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", ("image/gif", "gif")),
        (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00", ("image/webp", "webp")),
        (AVIF, ("image/avif", "avif")),
        (SVG, "looks like SVG"),
        (SCRIPT, "looks like HTML"),
        (b"\xef\xbb\xbf\n<!DOCTYPE html><title>x</title>", "looks like HTML"),
        (b"", "empty"),
        # HEIC is no AVIF, though both are ISO-BMFF files
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "starts with bytes 00 00 00 18"),
    ],
)
def test_what_an_image_is_is_read_from_its_bytes(data: bytes, kind: Any) -> None:
    if isinstance(kind, tuple):
        assert sniff(data) == kind
    else:
        assert sniff(data) is None
        assert looks_like(data).startswith(kind)
