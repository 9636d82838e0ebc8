"""Publishing to a real WordPress (Debian's wordpress 6.1 on PHP and MariaDB),
stood up on loopback by ../shared/harness/wordpress/up.sh (`make test` runs it).

Skipped only when the harness is not running on this machine."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicator.partners.wordpress import media_slug
from tests import test_images
from tests.conftest import add_partners, demo_sources, query, syndicator, write_config

pytestmark = pytest.mark.wordpress
HARNESS = Path("/var/lib/wp-harness")
# the fixtures: the source site of the image stories, and the hostile server it links to
source, hostile = test_images.source, test_images.hostile


def credentials(port: int) -> dict[str, str]:
    path = HARNESS / str(port) / "credentials.env"
    if not path.exists():
        pytest.skip(f"no real WordPress on port {port}: run ../shared/harness/wordpress/up.sh")
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value.strip().strip("'\"") for key, value in pairs}


class RealWordPress:
    def __init__(self, port: int) -> None:
        creds = credentials(port)
        self.url = creds["WP_URL"]
        self.user = creds["WP_USER"]
        self.password = creds["WP_APP_PASSWORD"]
        self.client = httpx.Client(auth=(self.user, self.password), timeout=30)

    @property
    def env(self) -> dict[str, str]:
        """The environment a syndicator command needs to publish here."""
        return {"REAL_WP_PASSWORD": self.password}

    def partner(self, **options: Any) -> dict[str, Any]:
        """A ``[[partners]]`` table for this WordPress, on loopback."""
        return {
            "name": "real",
            "kind": "wordpress",
            "url": self.url,
            "username": self.user,
            "password_env": "REAL_WP_PASSWORD",
            "allow_networks": ["127.0.0.1/32"],
            **options,
        }

    def api(self, method: str, route: str, **params: Any) -> Any:
        response = self.client.request(
            method, f"{self.url}/", params={"rest_route": route, **params}
        )
        response.raise_for_status()
        return response.json()

    def posts(self) -> list[dict[str, Any]]:
        return self.api(
            "GET",
            "/wp/v2/posts",
            status="publish,future,draft,pending,private,trash",
            context="edit",
            per_page=100,
        )

    def wipe(self) -> None:
        for post in self.posts():
            self.api("DELETE", f"/wp/v2/posts/{post['id']}", force="true")
        for media in self.api("GET", "/wp/v2/media", per_page=100):
            self.api("DELETE", f"/wp/v2/media/{media['id']}", force="true")


@pytest.fixture
def real_wp() -> Iterator[RealWordPress]:
    wordpress = RealWordPress(8089)
    wordpress.wipe()
    yield wordpress
    wordpress.client.close()


def configure(
    tmp_path: Path, sites: Any, wordpress: RealWordPress, **options: Any
) -> tuple[Path, dict[str, str]]:
    config = write_config(tmp_path / "c.toml", demo_sources(sites))
    add_partners(config, wordpress.partner(categories=["Syndicated"], **options))
    return config, wordpress.env


def test_publish_update_and_recover_on_real_wordpress(
    tmp_path: Path, sites: Any, real_wp: RealWordPress
) -> None:
    config, env = configure(tmp_path, sites, real_wp)
    result = syndicator("run", config=config, env=env)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "store.db"
    articles = {a["id"]: a for a in query(db, "select * from articles where duplicate_of is null")}
    posts = {str(p["id"]): p for p in real_wp.posts()}
    assert len(posts) == len(articles)
    deliveries = query(db, "select * from deliveries where partner = 'real'")
    assert {d["status"] for d in deliveries} == {"sent"}
    categories = {c["name"]: c["id"] for c in real_wp.api("GET", "/wp/v2/categories", per_page=100)}
    for delivery in deliveries:
        post = posts[delivery["remote_id"]]
        article = articles[delivery["article_id"]]
        assert post["link"] == delivery["remote_url"]
        assert post["status"] == "publish"
        assert post["slug"] == delivery["remote_key"]
        assert "Related stories" in post["content"]["raw"]
        assert article["url"] in post["content"]["raw"]
        assert "<script" not in post["content"]["raw"]
        assert categories["Syndicated"] in post["categories"]
        assert post["tags"]
        assert post["featured_media"] > 0
        media = real_wp.api("GET", f"/wp/v2/media/{post['featured_media']}")
        assert media["media_type"] == "image"
        assert media["slug"] == media_slug(delivery["article_id"])

    # the source corrects an article: the same post is updated
    corrected = deliveries[0]
    conn = sqlite3.connect(db)
    conn.execute(
        "update articles set title = title || ' (corrected)', content_hash = 'x' where id = ?",
        (corrected["article_id"],),
    )
    # and another delivery's answer was "lost" after WordPress created the post (and its image)
    lost = deliveries[1]
    media_before = {m["id"] for m in real_wp.api("GET", "/wp/v2/media", per_page=100)}
    conn.execute(
        "update deliveries set status = 'sending', remote_id = null, "
        "delivered_hash = null, media_id = null where article_id = ?",
        (lost["article_id"],),
    )
    conn.commit()
    conn.close()
    again = syndicator("publish", config=config, env=env)
    assert again.returncode == 0, again.stderr
    after = {str(p["id"]): p for p in real_wp.posts()}
    assert set(after) == set(posts)
    assert after[corrected["remote_id"]]["title"]["raw"].endswith("(corrected)")
    rows = {d["article_id"]: d for d in query(db, "select * from deliveries")}
    assert rows[lost["article_id"]]["remote_id"] == lost["remote_id"]
    assert rows[lost["article_id"]]["media_id"] == lost["media_id"]  # found by its slug
    assert {m["id"] for m in real_wp.api("GET", "/wp/v2/media", per_page=100)} == media_before
    assert {d["status"] for d in rows.values()} == {"sent"}


def test_plain_permalinks_on_real_wordpress(tmp_path: Path, sites: Any) -> None:
    wordpress = RealWordPress(8090)
    wordpress.wipe()
    config, env = configure(tmp_path, sites, wordpress)
    result = syndicator("run", config=config, env=env)
    assert result.returncode == 0, result.stderr
    canonical = "select id from articles where duplicate_of is null"
    assert len(wordpress.posts()) == len(query(tmp_path / "store.db", canonical))
    # this site has no REST API under /wp-json/: only ?rest_route= works
    front = wordpress.client.get(f"{wordpress.url}/wp-json/")
    assert front.headers["content-type"].startswith("text/html")


def test_wrong_password_on_real_wordpress(
    tmp_path: Path, sites: Any, real_wp: RealWordPress
) -> None:
    config, env = configure(tmp_path, sites, real_wp)
    env["REAL_WP_PASSWORD"] = "aaaa bbbb cccc dddd eeee ffff"
    result = syndicator("run", config=config, env=env)
    assert result.returncode == 1
    assert "real: WordPress refused the credentials or the user's role (HTTP 401" in result.stderr
    assert real_wp.posts() == []


def test_drafts_are_found_again_after_a_lost_answer(
    tmp_path: Path, sites: Any, real_wp: RealWordPress
) -> None:
    config, env = configure(tmp_path, sites, real_wp, status="draft", featured_image=False)
    assert syndicator("run", config=config, env=env).returncode == 0
    db = tmp_path / "store.db"
    drafts = real_wp.posts()
    assert drafts and {p["status"] for p in drafts} == {"draft"}
    conn = sqlite3.connect(db)
    conn.execute("update deliveries set status = 'sending', remote_id = null")
    conn.commit()
    conn.close()
    assert syndicator("publish", config=config, env=env).returncode == 0
    assert sorted(p["id"] for p in real_wp.posts()) == sorted(p["id"] for p in drafts)


def test_only_images_by_their_bytes_reach_real_wordpress(
    tmp_path: Path, source: Any, real_wp: RealWordPress
) -> None:
    """A script served as image/png under a ``.html`` name (which WordPress 6.1
    stores for an editor and serves as text/html), an SVG, a PNG under a name
    without extension and a JPEG labelled PNG: the media library gets the two
    images, under syndicator's names, and nothing else; every article is a post."""
    config = test_images.crawl_group(
        tmp_path,
        source,
        "bytes",
        real_wp.url,
        username=real_wp.user,
        password_env="REAL_WP_PASSWORD",
    )
    result = syndicator("publish", config=config, env={"REAL_WP_PASSWORD": real_wp.password})
    assert result.returncode == 0, result.stderr
    stories = test_images.by_story(tmp_path / "store.db")
    assert {s["status"] for s in stories.values()} == {"sent"}
    posts = {str(p["id"]): p for p in real_wp.posts()}
    assert len(posts) == len(stories) == 4
    media = real_wp.api("GET", "/wp/v2/media", per_page=100, context="edit")
    assert sorted((m["mime_type"], m["media_type"]) for m in media) == [
        ("image/jpeg", "image"),
        ("image/png", "image"),
    ]
    names = sorted(m["source_url"].rpartition("/")[2] for m in media)
    ids = {name: stories[name]["id"][:16] for name in ("bare", "mislabelled")}
    assert names == sorted(
        [f"syndicator-{ids['bare']}.png", f"syndicator-{ids['mislabelled']}.jpg"]
    )
    for name in ("bare", "mislabelled"):
        assert posts[stories[name]["remote_id"]]["featured_media"] == int(stories[name]["media_id"])
    for name in ("evil", "vector"):
        assert posts[stories[name]["remote_id"]]["featured_media"] == 0
        assert stories[name]["note"].startswith("not an image by its bytes")
    uploads = HARNESS / "8089" / "www" / "wp-content" / "uploads"
    assert uploads.is_dir()
    assert [f for f in uploads.rglob("*") if f.suffix.lower() in (".html", ".htm", ".svg")] == []
