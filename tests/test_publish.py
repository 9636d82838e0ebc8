"""Publishing to local partners that behave like WordPress and a signed-webhook
receiver: every article reaches every partner exactly once, updates go to the
same post, and faults end in retries, not duplicates."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from typing import Any

import feedparser
import pytest

from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.receivers.wordpress import WordPressReceiver
from tests.conftest import demo_sources, query, syndicator, write_config

WP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"
LOOPBACK = ["127.0.0.1/32"]


@pytest.fixture(scope="module")
def crawled(sites: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by a real crawl of the demo sites (copied for each test)."""
    tmp = tmp_path_factory.mktemp("crawled")
    config = write_config(tmp / "c.toml", demo_sources(sites))
    result = syndicator("crawl", config=config)
    assert result.returncode == 0, result.stderr
    return tmp / "store.db"


@pytest.fixture
def wordpress() -> Iterator[WordPressReceiver]:
    with WordPressReceiver(username="editor", app_password=WP_PASSWORD) as receiver:
        yield receiver


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=new_secret()) as receiver:
        yield receiver


class Setup:
    """A config with the demo sources and the given partners, over a copy of the crawled store."""

    def __init__(
        self,
        tmp: Path,
        sites: Any,
        crawled: Path,
        partners: list[dict[str, Any]],
        env: dict[str, str],
    ) -> None:
        self.tmp = tmp
        self.db = tmp / "store.db"
        src = sqlite3.connect(crawled)
        dst = sqlite3.connect(self.db)
        src.backup(dst)
        src.close()
        dst.close()
        self.config = write_config(tmp / "c.toml", demo_sources(sites))
        with self.config.open("a") as out:
            for partner in partners:
                out.write("\n[[partners]]\n")
                for key, value in partner.items():
                    out.write(f"{key} = {json.dumps(value)}\n")
        self.env = env

    def only(self, *partners: dict[str, Any], env: dict[str, str] | None = None) -> Setup:
        """The same crawled store and sources, with just these partners, in a new folder."""
        folder = self.tmp / f"only-{'-'.join(p['name'] for p in partners)}"
        folder.mkdir()
        shutil.copy(self.db, folder / "store.db")
        clone = object.__new__(Setup)
        clone.tmp, clone.db, clone.env = folder, folder / "store.db", env or self.env
        sources = self.config.read_text().split("\n[[partners]]\n")[0]
        clone.config = folder / "c.toml"
        clone.config.write_text(
            sources
            + "".join(
                "\n[[partners]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in p.items())
                for p in partners
            )
        )
        return clone

    def run(self, *args: str) -> Any:
        return syndicator(*args, config=self.config, env=self.env)

    def deliveries(self, partner: str) -> list[dict[str, Any]]:
        return query(self.db, "select * from deliveries where partner = ?", (partner,))

    def articles(self) -> list[dict[str, Any]]:
        """The canonical articles: duplicates are never republished."""
        return query(self.db, "select * from articles where duplicate_of is null")


def wp_partner(wordpress: WordPressReceiver, **options: Any) -> dict[str, Any]:
    return {
        "name": "wp",
        "kind": "wordpress",
        "url": wordpress.url,
        "username": "editor",
        "password_env": "TEST_WP_PASSWORD",
        "allow_networks": LOOPBACK,
        "categories": ["Syndicated"],
        **options,
    }


def hook_partner(webhook: WebhookReceiver) -> dict[str, Any]:
    return {
        "name": "hook",
        "kind": "webhook",
        "url": webhook.url,
        "secret_env": "TEST_HOOK_SECRET",
        "allow_networks": LOOPBACK,
    }


@pytest.fixture
def setup(
    tmp_path: Path,
    sites: Any,
    crawled: Path,
    wordpress: WordPressReceiver,
    webhook: WebhookReceiver,
) -> Setup:
    partners = [
        wp_partner(wordpress),
        hook_partner(webhook),
        {"name": "feed", "kind": "atom", "path": "feed.atom", "entries": 50},
    ]
    env = {"TEST_WP_PASSWORD": WP_PASSWORD, "TEST_HOOK_SECRET": webhook.secret}
    return Setup(tmp_path, sites, crawled, partners, env)


def test_every_article_reaches_every_partner_once(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver, sites: Any
) -> None:
    articles = setup.articles()
    result = setup.run("publish")
    assert result.returncode == 0, result.stderr
    n = len(articles)
    assert f"publish finished; {3 * n} sent ({3 * n} new, 0 updates), 0 to retry, 0 failed" in (
        result.stdout
    )

    posts = list(wordpress.posts.values())
    assert len(posts) == n
    by_title = {p["title"]["raw"]: p for p in posts}
    for article in articles:
        post = by_title[escape(article["title"], quote=False)]
        content = post["content"]["raw"]
        assert content == article["republish_html"]
        assert "<script" not in content
        assert post["status"] == "publish"
        assert post["date_gmt"] == article["published_at"][:19]
        assert post["slug"].endswith("-" + article["id"][:8])
        assert post["featured_media"] in wordpress.media  # the og:image was uploaded
        terms = wordpress.terms
        category_names = {unescape(terms["categories"][c]["name"]) for c in post["categories"]}
        assert category_names == {"Syndicated"}
        tag_names = {unescape(terms["tags"][t]["name"]) for t in post["tags"]}
        assert tag_names == set(json.loads(article["tags"]))

    unique = webhook.unique()
    assert len(unique) == n and not webhook.rejected
    payload = next(iter(unique.values()))
    assert payload["version"] == 1 and payload["type"] == "article.published"
    assert {"republish_html", "teasers", "source", "revision"} <= set(payload["data"])

    feed = feedparser.parse(setup.tmp / "feed.atom")
    assert not feed.bozo and len(feed.entries) == n
    assert {e.link for e in feed.entries} == {a["url"] for a in articles}
    # readable by the web server that serves it: the mode the user's umask gives
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((setup.tmp / "feed.atom").stat().st_mode) == 0o666 & ~umask

    for partner in ("wp", "hook", "feed"):
        rows = setup.deliveries(partner)
        assert len(rows) == n and {r["status"] for r in rows} == {"sent"}
    duplicates = query(setup.db, "select id from articles where duplicate_of is not null")
    assert duplicates, "the demo's cross-posted story is stored once as a duplicate"
    delivered = {r["article_id"] for r in setup.deliveries("wp")}
    assert not delivered & {d["id"] for d in duplicates}
    wp_rows = {r["remote_id"] for r in setup.deliveries("wp")}
    assert wp_rows == {str(p["id"]) for p in posts}

    posts_before = len(wordpress.requests)
    again = setup.run("publish")
    assert again.returncode == 0, again.stderr
    assert "0 sent (0 new, 0 updates)" in again.stdout
    assert not [r for r in wordpress.requests[posts_before:] if r.method == "POST"]
    assert len(webhook.deliveries) == n


def test_dry_run_sends_and_stores_nothing(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    result = setup.run("publish", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would create" in result.stdout and "nothing was sent" in result.stdout
    assert wordpress.requests == [] and webhook.requests == []
    assert query(setup.db, "select count(*) as n from deliveries") == [{"n": 0}]
    assert not (setup.tmp / "feed.atom").exists()
    assert WP_PASSWORD not in result.stdout


def test_a_changed_article_updates_the_same_post(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    setup.run("publish")
    article = setup.articles()[0]
    conn = sqlite3.connect(setup.db)
    conn.execute(
        "update articles set title = title || ' (corrected)', content_hash = 'changed' "
        "where id = ?",
        (article["id"],),
    )
    conn.commit()
    conn.close()
    result = setup.run("publish")
    assert result.returncode == 0, result.stderr
    assert "3 sent (0 new, 3 updates)" in result.stdout
    posts = [p for p in wordpress.posts.values() if p["title"]["raw"].endswith("(corrected)")]
    assert len(posts) == 1 and len(wordpress.posts) == len(setup.articles())
    ids = [d["id"] for d in webhook.deliveries if d["payload"]["data"]["id"] == article["id"]]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert webhook.deliveries[-1]["payload"]["type"] == "article.updated"


def test_server_errors_and_rate_limits_are_retried_without_duplicates(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    only_wp = setup.only(wp_partner(wordpress))
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/posts$", status=500, times=2))
    wordpress.faults.add(
        Fault(
            method="POST",
            path=r"^/wp/v2/posts$",
            status=429,
            headers={"Retry-After": "1"},
            body={"code": "too_many"},
        )
    )
    # the partner creates the post but the answer never arrives
    wordpress.faults.add(Fault(method="POST", path=r"^/wp/v2/posts$", reset=True, after=True))
    started = time.monotonic()
    result = only_wp.run("publish")
    assert result.returncode == 0, result.stderr
    n = len(only_wp.articles())
    assert len(wordpress.posts) == n
    assert len({p["slug"] for p in wordpress.posts.values()}) == n
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert {r["status"] for r in only_wp.deliveries("wp")} == {"sent"}


def test_a_slow_partner_recovers_in_run_without_duplicates(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    only_wp = setup.only(wp_partner(wordpress, timeout=1, concurrency=1))
    # the post is created, but the answer comes after our 1 s timeout
    wordpress.faults.add(
        Fault(method="POST", path=r"^/wp/v2/posts$", delay=2, after=True, status=None, times=2)
    )
    result = only_wp.run("publish")
    assert result.returncode == 0, result.stderr
    assert len(wordpress.posts) == len(only_wp.articles())
    assert {r["status"] for r in only_wp.deliveries("wp")} == {"sent"}


def test_timeouts_are_scheduled_for_later_and_never_duplicate(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    only_wp = setup.only(wp_partner(wordpress, timeout=1, concurrency=1))
    # every post request is slow: tries within the run fail, the rest waits for later
    wordpress.faults.add(Fault(path=r"^/wp/v2/posts", delay=2, after=True, status=None, times=1000))
    first = only_wp.run("publish")
    assert first.returncode == 1
    assert "no answer in time" in first.stderr
    rows = only_wp.deliveries("wp")
    assert {r["status"] for r in rows} == {"pending"}
    tried = [r for r in rows if r["attempts"]]
    assert tried and all(r["next_attempt_at"] > r["updated_at"] for r in tried)
    assert all("no answer in time" in r["last_error"] for r in tried)
    wordpress.faults.clear()
    time.sleep(2.5)  # let the slow partner finish what it was doing
    conn = sqlite3.connect(only_wp.db)
    conn.execute("update deliveries set next_attempt_at = null")
    conn.commit()
    conn.close()
    second = only_wp.run("publish")
    assert second.returncode == 0, second.stderr
    assert len(wordpress.posts) == len(only_wp.articles())
    assert {r["status"] for r in only_wp.deliveries("wp")} == {"sent"}


def test_wrong_password_is_one_clear_line_and_kept_in_the_store(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    env = {**setup.env, "TEST_WP_PASSWORD": "wrong password"}
    only_wp = setup.only(wp_partner(wordpress), env=env)
    result = only_wp.run("publish")
    assert result.returncode == 1
    assert "wp: WordPress refused the credentials or the user's role (HTTP 401" in result.stderr
    assert "wrong password" not in result.stderr + result.stdout
    rows = only_wp.deliveries("wp")
    # the articles are not at fault: their deliveries wait, attempts untouched
    assert {r["status"] for r in rows} == {"pending"}
    assert {r["attempts"] for r in rows} == {0}
    assert all("rest_not_logged_in" in r["last_error"] for r in rows)
    assert wordpress.posts == {}
    again = only_wp.run("publish")  # cron keeps saying so while it lasts
    assert again.returncode == 1 and "refused the credentials" in again.stderr
    # the password fixed, the next ordinary publish sends them all
    only_wp.env = setup.env
    fixed = only_wp.run("publish")
    assert fixed.returncode == 0, fixed.stderr
    assert len(wordpress.posts) == len(rows)
    assert {r["status"] for r in only_wp.deliveries("wp")} == {"sent"}


def test_a_bad_field_is_a_permanent_failure_with_wordpress_message(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    only_wp = setup.only(wp_partner(wordpress, author=999))
    result = only_wp.run("publish")
    assert result.returncode == 1
    rows = only_wp.deliveries("wp")
    assert {r["status"] for r in rows} == {"failed"}
    assert "rest_invalid_author" in rows[0]["last_error"]
    assert rows[0]["attempts"] == 1
    # a later run sends nothing new but keeps saying, and exiting 1, until the
    # failed deliveries are re-queued: cron keeps mailing
    later = only_wp.run("publish")
    assert later.returncode == 1
    assert f"failed in earlier runs: {len(rows)} to wp (syndicator retry --partner wp)" in (
        later.stderr
    )


def test_plain_permalinks_fall_back_to_rest_route(setup: Setup, sites: Any) -> None:
    with WordPressReceiver(
        username="editor", app_password=WP_PASSWORD, permalinks="plain"
    ) as plain:
        only_wp = setup.only(wp_partner(plain))
        result = only_wp.run("publish")
        assert result.returncode == 0, result.stderr
        assert len(plain.posts) == len(only_wp.articles())
        assert all(
            "rest_route" in r.query or r.path == "/" or r.method == "GET" for r in plain.requests
        )


def test_webhook_410_disables_the_partner(setup: Setup, webhook: WebhookReceiver) -> None:
    only_hook = setup.only(hook_partner(webhook))
    webhook.status = 410
    result = only_hook.run("publish")
    assert result.returncode == 1
    assert "answered 410 Gone, so the partner is disabled" in result.stderr
    sent_before = len(webhook.requests)
    assert sent_before <= 4  # the first 410 stops the partner; only requests in flight went
    again = only_hook.run("publish")
    assert again.returncode == 1 and "disabled" in again.stderr
    assert len(webhook.requests) == sent_before
    status = json.loads(only_hook.run("status", "--json").stdout)
    assert "410" in status["partners"][0]["disabled_reason"]
    webhook.status = 200
    assert only_hook.run("retry", "--partner", "hook").returncode == 0
    assert only_hook.run("publish").returncode == 0
    assert len(webhook.unique()) == len(only_hook.articles())


def test_webhook_id_is_stable_across_retries(setup: Setup, webhook: WebhookReceiver) -> None:
    only_hook = setup.only(hook_partner(webhook))
    webhook.faults.add(Fault(method="POST", status=503, after=True, times=1))
    assert only_hook.run("publish").returncode == 0
    ids = [d["id"] for d in webhook.deliveries]
    assert len(ids) == len(only_hook.articles()) + 1
    assert len(set(ids)) == len(only_hook.articles())
    assert sum(d["duplicate"] for d in webhook.deliveries) == 1


def test_a_partner_that_is_down_holds_up_no_other(setup: Setup, webhook: WebhookReceiver) -> None:
    dead = {
        "name": "dead",
        "kind": "wordpress",
        "url": "http://127.0.0.1:9",
        "username": "editor",
        "password_env": "TEST_WP_PASSWORD",
        "allow_networks": LOOPBACK,
    }
    both = setup.only(dead, hook_partner(webhook))
    result = both.run("publish")
    assert result.returncode == 1
    assert "cannot connect" in result.stderr
    assert len(webhook.unique()) == len(both.articles())
    dead_rows = both.deliveries("dead")
    assert {r["status"] for r in dead_rows} == {"pending"}
    assert all(r["next_attempt_at"] for r in dead_rows)


def test_secrets_never_reach_the_store_or_the_output(
    setup: Setup, wordpress: WordPressReceiver
) -> None:
    outputs = [
        setup.run("-vv", "publish", "--dry-run"),
        setup.run("-vv", "publish"),
        setup.run("status"),
        setup.run("status", "--json"),
    ]
    assert all(r.returncode == 0 for r in outputs), [r.stderr for r in outputs]
    # and when the partner fails, with its error kept in the store
    wordpress.faults.add(Fault(status=500, times=1000, body={"code": "oops", "message": "x"}))
    setup.run("retry", "--partner", "wp")
    conn = sqlite3.connect(setup.db)
    conn.execute(
        "update deliveries set status = 'pending', remote_id = null, attempts = 0 "
        "where partner = 'wp'"
    )
    conn.commit()
    conn.close()
    outputs.append(setup.run("-vv", "publish"))
    assert outputs[-1].returncode == 1
    blob = b"".join(p.read_bytes() for p in setup.tmp.glob("store.db*"))
    blob += (setup.tmp / "feed.atom").read_bytes()
    for secret in setup.env.values():
        basic = base64.b64encode(f"editor:{secret}".encode()).decode()  # an Authorization header
        for variant in (secret, secret.replace(" ", ""), basic):
            assert variant.encode() not in blob
            for result in outputs:
                assert variant not in result.stdout + result.stderr


def test_a_missing_secret_stops_that_partner_and_no_other(
    setup: Setup, webhook: WebhookReceiver
) -> None:
    setup.env = {**setup.env, "TEST_WP_PASSWORD": ""}
    line = (
        "partner 'wp': environment variable TEST_WP_PASSWORD is not set "
        "(it holds the partner's secret)"
    )
    # a dry run says what a real run would refuse
    planned = setup.run("publish", "--dry-run")
    assert planned.returncode == 1
    assert f"wp: {line}" in planned.stdout
    assert not [row for row in planned.stdout.splitlines() if row.startswith("wp: would")]
    assert "hook: would create" in planned.stdout
    result = setup.run("publish")
    assert result.returncode == 1
    assert line in result.stderr
    n = len(setup.articles())
    assert len(webhook.unique()) == n  # the others were sent to
    assert (setup.tmp / "feed.atom").exists()
    assert setup.deliveries("wp") == []  # nothing queued, nothing failed for it


def test_run_crawls_then_publishes_and_respects_the_lock(
    setup: Setup, webhook: WebhookReceiver
) -> None:
    from filelock import FileLock

    with FileLock(str(setup.db) + ".lock"):
        locked = [setup.run(*command) for command in (["run"], ["crawl"], ["publish"])]
        dry = setup.run("publish", "--dry-run")  # changes nothing: not locked out
    for result in locked:  # one writer of the store at a time, each told so in one line
        assert result.returncode == 3, result.stderr
        assert result.stderr.count("\n") == 1
        assert "another run, crawl or publish holds the lock" in result.stderr
    assert dry.returncode == 0, dry.stderr
    first = setup.run("--quiet", "run")
    assert first.returncode == 0, first.stderr
    assert "publish finished" in first.stdout
    quiet = setup.run("--quiet", "run")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""


def test_status_shows_partner_counts(setup: Setup) -> None:
    setup.run("publish")
    status = json.loads(setup.run("status", "--json").stdout)
    partners = {p["partner"]: p for p in status["partners"]}
    n = len(setup.articles())
    assert partners["wp"]["sent"] == n and partners["wp"]["failed"] == 0
    assert os.path.exists(setup.tmp / "feed.atom")


def test_killed_publishes_never_duplicate_or_lose_a_post(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    """SIGKILL publish at random moments (seed printed for replay), then let it finish:
    every article is on every partner exactly once and the store agrees."""
    import random
    import signal
    import subprocess
    import sys

    seed = int(os.environ.get("KILL_SEED", random.randrange(1 << 30)))
    print(f"kill seed: {seed} (replay with KILL_SEED={seed})")
    rng = random.Random(seed)
    slow = wp_partner(wordpress, concurrency=2)
    killed = setup.only(slow, hook_partner(webhook))
    # every partner request takes a while, so kills land mid-request too
    wordpress.faults.add(Fault(delay=0.1, status=None, after=rng.random() < 0.5, times=100_000))
    webhook.faults.add(Fault(delay=0.1, status=None, after=True, times=100_000))
    command = [sys.executable, "-m", "syndicator", "--config", str(killed.config), "publish"]
    interrupted = 0
    for _ in range(6):
        process = subprocess.Popen(
            command,
            env={**os.environ, **killed.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.8, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = [r["status"] for r in killed.deliveries("wp")]
        # a kill with a request out ("sending") or with part of the work done
        interrupted += "sending" in states or ("sent" in states and set(states) != {"sent"})
    assert interrupted, "no kill landed half way through a publish"
    wordpress.faults.clear()
    webhook.faults.clear()
    time.sleep(0.5)  # requests the killed processes left in flight finish on the partner side
    conn = sqlite3.connect(killed.db)
    conn.execute("update deliveries set next_attempt_at = null")
    conn.commit()
    conn.close()
    final = killed.run("publish")
    assert final.returncode == 0, final.stderr
    articles = killed.articles()
    posts = wordpress.posts
    assert len(posts) == len(articles), f"seed {seed}"
    rows = killed.deliveries("wp")
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["remote_id"] for r in rows} == {str(i) for i in posts}
    assert len(webhook.unique()) == len(articles)
    assert {r["status"] for r in killed.deliveries("hook")} == {"sent"}


def test_an_edited_source_article_sends_exactly_one_update(
    tmp_path: Path, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    """End to end: crawl and publish, edit an article on the source site, run again."""
    from datetime import UTC, datetime, timedelta

    from syndicator.demo.bundled import demo_root
    from syndicator.demo.siteserver import Site, SiteGroup

    overlay = tmp_path / "overlay"
    root = demo_root() / "sites"
    group = SiteGroup(
        [
            Site(name, [overlay / name, root / name])
            for name in ("riverside-herald", "northgate-gazette")
        ]
    )
    path = "2026/11/council-approves-ferry-street-bridge-repairs/index.html"
    with group:
        config = write_config(tmp_path / "c.toml", demo_sources(group))
        with config.open("a") as out:
            for partner in (wp_partner(wordpress), hook_partner(webhook)):
                out.write(
                    "\n[[partners]]\n"
                    + "".join(f"{k} = {json.dumps(v)}\n" for k, v in partner.items())
                )
        env = {"TEST_WP_PASSWORD": WP_PASSWORD, "TEST_HOOK_SECRET": webhook.secret}
        first = syndicator("run", config=config, env=env)
        assert first.returncode == 0, first.stderr
        posts_before = len(wordpress.posts)

        edited = overlay / "riverside-herald" / path
        edited.parent.mkdir(parents=True)
        page = (root / "riverside-herald" / path).read_text()
        edited.write_text(page.replace("voted 5–2 on Monday night", "voted 6–1 on Monday night"))
        sitemap = (root / "riverside-herald" / "sitemap-posts.xml").read_text()
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat(timespec="seconds")
        (overlay / "riverside-herald" / "sitemap-posts.xml").write_text(
            sitemap.replace(
                "<lastmod>2026-11-17T08:05:00-05:00</lastmod>", f"<lastmod>{later}</lastmod>"
            )
        )
        second = syndicator("run", config=config, env=env)
    assert second.returncode == 0, second.stderr
    assert "0 new, 0 duplicates, 1 updated" in second.stdout
    assert "2 sent (0 new, 2 updates)" in second.stdout
    assert len(wordpress.posts) == posts_before
    changed = [p for p in wordpress.posts.values() if "voted 6–1" in p["content"]["raw"]]
    assert len(changed) == 1
    updates = [d for d in webhook.deliveries if d["payload"]["type"] == "article.updated"]
    assert len(updates) == 1 and "voted 6–1" in updates[0]["payload"]["data"]["republish_html"]
