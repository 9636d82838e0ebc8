"""Crash safety: `syndicator run` killed with SIGKILL at 50 random moments of
crawling and publishing, then run to the end once more. The store must be
whole and agree with the source sites and the partners: every article stored
once and complete, every one on every partner exactly once; and the articles
withdrawn along the way (`syndicator withdraw` between kills) taken down on
every partner exactly once, and never sent again.

The seed is printed; KILL_SEED=<seed> replays a failure."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from syndicator.deliveries import revision_hash
from syndicator.demo.bundled import demo_root
from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site, SiteGroup
from tests.conftest import EXPECTED_FILE, demo_sources, query, real_stories, write_config

EXPECTED = json.loads(EXPECTED_FILE.read_text())
BODIES = real_stories()


def query_if_ready(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
    """``query``, but empty while the store or its ``runs`` table does not exist
    yet: a run may be killed, or polled, before it has created its schema."""
    try:
        return query(db, sql, params) if db.exists() else []
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        return []


def last_run_id(db: Path) -> int:
    rows = query_if_ready(db, "select coalesce(max(id), 0) as id from runs")
    return int(rows[0]["id"]) if rows else 0


def make_deliveries_due(db: Path) -> None:
    """Make every delayed delivery due at once, as time passing would."""
    if not query_if_ready(db, "select 1 from sqlite_master where name = 'deliveries'"):
        return
    conn = sqlite3.connect(db)
    try:
        conn.execute("update deliveries set next_attempt_at = null")
        conn.commit()
    finally:
        conn.close()


def wait_for_step(
    db: Path, process: subprocess.Popen[bytes], command: str, after: int, timeout: float
) -> bool:
    """Wait until the run has started its ``command`` step (a ``runs`` row newer
    than ``after``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        sql = "select 1 from runs where id > ? and command = ?"
        if query_if_ready(db, sql, (after, command)):
            return True
        time.sleep(0.02)
    return False


class GrowingSite(Site):
    """A source that keeps publishing: new stories, and corrections of older ones,
    so that every run of the kill loop has crawling and publishing to do."""

    def __init__(self) -> None:
        super().__init__("growing", [])
        self.stories: list[tuple[str, str]] = []  # (body, lastmod)
        self.hook = self._answer

    def publish_more(self, count: int, rng: random.Random) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 60))
        for _ in range(count):
            self.stories.append((BODIES[len(self.stories) % len(BODIES)], now))
        if len(self.stories) > 4 and rng.random() < 0.5:
            n = rng.randrange(len(self.stories) - 2)
            body, _ = self.stories[n]
            # a paragraph of its own (the last line may be a copyright line, which
            # is cut) and of this story's own (one line at the end of many stories
            # is the source's standing line, learned and cut)
            correction = f"\nAn earlier version of story {n} misstated a detail. (Corrected.)"
            self.stories[n] = (body.replace(" the ", " a ", 1) + correction, now)

    def _answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{self.url}/story/{n}/</loc><lastmod>{mod}</lastmod></url>"
                for n, (_, mod) in enumerate(self.stories)
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path.startswith("/story/"):
            n = int(path.split("/")[2])
            paragraphs = "".join(f"<p>{p}</p>" for p in self.stories[n][0].split("\n") if p)
            html = (
                f"<html><head><title>Story {n}</title></head><body><article>"
                f"<h1>Story {n}</h1>{paragraphs}</article></body></html>"
            )
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        return None


KILLS = 50
WP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"


def test_killed_runs_leave_a_whole_store_and_no_duplicate(tmp_path: Path) -> None:
    seed = int(os.environ.get("KILL_SEED", random.randrange(1 << 30)))
    print(f"kill seed: {seed} (replay with KILL_SEED={seed})")
    rng = random.Random(seed)
    root = demo_root() / "sites"
    sites = SiteGroup(
        [Site(name, [root / name]) for name in ("riverside-herald", "northgate-gazette")]
    )
    wordpress = WordPressReceiver(username="editor", app_password=WP_PASSWORD)
    webhook = WebhookReceiver(secret=new_secret())
    growing = GrowingSite()
    with sites, wordpress, webhook, growing:
        wordpress.faults.add(Fault(delay=0.01, status=None, after=True, times=10**9))
        webhook.faults.add(Fault(delay=0.01, status=None, after=True, times=10**9))
        config = write_config(
            tmp_path / "c.toml",
            [
                *demo_sources(sites),
                {"name": "growing", "sitemaps": [f"{growing.url}/sitemap.xml"], "min_words": 20},
            ],
        )
        with config.open("a") as out:
            out.write(
                f'\n[[partners]]\nname = "wp"\nkind = "wordpress"\nurl = "{wordpress.url}"\n'
                'username = "editor"\npassword_env = "WP_PW"\nconcurrency = 2\n'
                'allow_networks = ["127.0.0.1/32"]\n'
                f'\n[[partners]]\nname = "hook"\nkind = "webhook"\nurl = "{webhook.url}"\n'
                'secret_env = "HOOK_SECRET"\nallow_networks = ["127.0.0.1/32"]\n'
            )
        env = {**os.environ, "WP_PW": WP_PASSWORD, "HOOK_SECRET": webhook.secret}
        command = [sys.executable, "-m", "syndicator", "--config", str(config), "run"]
        db = tmp_path / "store.db"
        phases: dict[str, int] = {}
        withdrawn: set[str] = set()
        for n in range(KILLS):
            growing.publish_more(2, rng)
            if n % 10 == 7:
                # an operator's takedown between two killed runs: the kills that
                # follow land while it is carried to the partners
                stored = query_if_ready(
                    db, "select id from articles where duplicate_of is null order by id"
                )
                ids = sorted({row["id"] for row in stored} - withdrawn)
                if ids:
                    chosen = rng.choice(ids)
                    takedown = [*command[:-1], "withdraw", str(chosen), "--reason", f"kill {n}"]
                    subprocess.run(takedown, env=env, capture_output=True, check=True)
                    withdrawn.add(str(chosen))
            before = last_run_id(db)
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            # the kills alternate between the crawl step and the publish step; a
            # step that ends first leaves the kill to land in the next one
            step = "publish" if n % 2 else "crawl"
            if wait_for_step(db, process, step, before, timeout=15):
                time.sleep(rng.uniform(0.0, 0.6 if step == "publish" else 0.4))
            else:
                time.sleep(rng.uniform(0.5, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            last = query_if_ready(db, "select command, status from runs order by id desc limit 1")
            phase = f"{last[0]['command']} {last[0]['status']}" if last else "start-up"
            phases[phase] = phases.get(phase, 0) + 1
            if rng.random() < 0.3:
                # now and then, make what was delayed due at once, as time would
                make_deliveries_due(db)
        print(f"where the {KILLS} kills landed: {phases}")
        assert phases.get("crawl running", 0) >= 5 and phases.get("publish running", 0) >= 5
        wordpress.faults.clear()
        webhook.faults.clear()
        time.sleep(0.5)  # what the last killed run left in flight lands on the partners
        make_deliveries_due(db)
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, (seed, final.stderr)
        posts = wordpress.posts
        media = wordpress.media
        unique_hooks = webhook.unique()
        stories = list(growing.stories)

    assert query(db, "pragma integrity_check") == [{"integrity_check": "ok"}]
    articles = {a["url"]: a for a in query(db, "select * from articles")}
    for name in ("riverside-herald", "northgate-gazette"):
        site = EXPECTED[name]
        broken = {p for paths in site["broken"].values() for p in paths}
        for path, expected in site["articles"].items():
            if path in broken:
                continue
            row = articles[sites[name].url + path]  # stored, once (url is unique per row)
            assert row["content_hash"] and row["republish_html"] and row["body_text"], path
            teasers = query(
                db, "select title from teasers where article_id = ? order by position", (row["id"],)
            )
            assert [t["title"] for t in teasers] == [t["title"] for t in expected["teasers"]]
    for n, (body, _) in enumerate(stories):
        row = articles[f"{growing.url}/story/{n}/"]
        assert ("(Corrected.)" in body) == ("(Corrected.)" in row["body_text"]), n
    assert len({a["id"] for a in articles.values()}) == len(articles)
    canonical = {a["id"] for a in articles.values() if a["duplicate_of"] is None}
    by_id = {a["id"]: a for a in articles.values()}
    assert withdrawn and withdrawn <= canonical
    assert {a["id"] for a in articles.values() if a["withdrawn_at"]} == withdrawn
    live = canonical - withdrawn
    for partner in ("wp", "hook"):
        rows = query(db, "select * from deliveries where partner = ?", (partner,))
        assert {r["article_id"] for r in rows} >= live, (seed, partner)
        status = {r["article_id"]: r["status"] for r in rows}
        assert {status[i] for i in live} == {"sent"}, (seed, partner)
        assert {status[i] for i in withdrawn if i in status} <= {"withdrawn"}, (seed, partner)
        # every correction reached the partner: what it has is the latest revision
        for row in rows:
            if row["article_id"] in live:
                assert row["delivered_hash"] == revision_hash(by_id[row["article_id"]]), seed
    # a withdrawn article's post stays, as a draft: one post per article ever sent
    assert len(posts) <= len(canonical), f"seed {seed}: {len(posts)} posts"
    drafted = {p["slug"] for p in posts.values() if p["status"] == "draft"}
    wp_rows = query(
        db, "select article_id, remote_key, remote_id from deliveries where partner = 'wp'"
    )
    for row in wp_rows:
        if row["article_id"] in withdrawn and row["remote_id"]:
            assert row["remote_key"] in drafted, (seed, row)
        elif row["article_id"] in live:
            assert posts[int(row["remote_id"])]["status"] == "publish", (seed, row)
    wp_ids = {
        r["remote_id"]
        for r in query(db, "select remote_id from deliveries where partner = 'wp'")
        if r["remote_id"]
    }
    assert wp_ids == {str(i) for i in posts}
    # every image uploaded is a post's featured image: no orphan left by a kill
    featured = [p["featured_media"] for p in posts.values() if p["featured_media"]]
    assert featured and sorted(featured) == sorted(media), (seed, len(media))
    assert live <= {d["data"]["id"] for d in unique_hooks.values()} <= canonical
    latest = {
        d["data"]["id"]: d["data"]["revision"]
        for d in unique_hooks.values()
        if d["type"] != "article.withdrawn"
    }
    assert all(latest[i] == revision_hash(by_id[i]) for i in live)
    # a withdrawal once per article the partner had, and nothing sent after it
    for article_id in withdrawn:
        kinds = [d["type"] for d in unique_hooks.values() if d["data"]["id"] == article_id]
        assert kinds.count("article.withdrawn") <= 1, (seed, kinds)
        if set(kinds) - {"article.withdrawn"}:  # the partner had a copy: told to take it down
            assert kinds[-1] == "article.withdrawn", (seed, kinds)
