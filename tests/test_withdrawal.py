"""Withdrawals (syndicator.lifecycle): an operator's takedown and a source's
removed page reach every partner exactly once, in each partner's own terms,
and a withdrawn article is never sent again until it is restored.

Real parts: a local news site whose pages can start answering 410, 404 or
503; the local WordPress (a post to draft, another to the trash), a webhook
receiver that verifies every signature with the standardwebhooks library,
an Atom file parsed with lxml; and the real WordPress for what its REST API
and public pages show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from syndicator.demo.receivers import WebhookReceiver, WordPressReceiver, new_secret
from syndicator.demo.siteserver import Site
from tests.conftest import add_partners, query, real_stories, syndicator, write_config
from tests.test_publish import WP_PASSWORD, hook_partner, wp_partner
from tests.test_wordpress_real import RealWordPress, real_wp

__all__ = ["real_wp"]  # the fixture

ATOM = "{http://www.w3.org/2005/Atom}"
AT = "{http://purl.org/atompub/tombstones/1.0}"
TITLES = ["Ferry timetable extended", "Library opens on Sundays", "Council approves budget"]
PATHS = ["/2026/12/ferry/", "/2026/12/library/", "/2026/12/budget/"]
# every run rechecks every stored article; a 404 withdraws at its second recheck
RECHECK = (
    "\n[dedup]\nrecheck = [{ max_age_days = 3650, every_hours = 0 }]\nwithdraw_after_hours = 0\n"
)


def page(title: str, text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<html lang='en'><head><title>{title}</title>"
        '<meta property="article:published_time" content="2026-12-01T09:00:00+00:00">'
        f"</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


class Source:
    """A local site of three real stories whose answers the test changes."""

    def __init__(self) -> None:
        stories = [s for s in real_stories(150) if s.isascii()][:3]
        self.pages = {p: page(t, s) for p, t, s in zip(PATHS, TITLES, stories, strict=True)}
        self.status: dict[str, int] = {}
        self.site = Site("courier", [])
        self.site.hook = self.answer

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{self.site.url}{p}</loc></url>" for p in self.pages)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path in self.pages:
            status = self.status.get(path, 200)
            body = self.pages[path] if status == 200 else f"HTTP {status}"
            return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode()
        return None


@contextmanager
def world(tmp_path: Path) -> Iterator[tuple[Source, Path, dict[str, Any], dict[str, str]]]:
    """The site, a config with four partners (a WordPress that drafts, one that
    trashes, a webhook, an Atom file), the partners, and the environment."""
    source = Source()
    secret = new_secret()
    with (
        source.site,
        WordPressReceiver(app_password=WP_PASSWORD) as drafts,
        WordPressReceiver(app_password=WP_PASSWORD) as trash,
        WebhookReceiver(secret=secret) as hook,
    ):
        config = write_config(
            tmp_path / "c.toml",
            [{"name": "courier", "sitemaps": [f"{source.site.url}/sitemap.xml"]}],
        )
        with config.open("a") as out:
            out.write(RECHECK)
        add_partners(
            config,
            wp_partner(drafts, name="drafts"),
            wp_partner(trash, name="trash", on_withdraw="trash"),
            hook_partner(hook),
            {"name": "feed", "kind": "atom", "path": "feed.atom"},
        )
        partners = {"drafts": drafts, "trash": trash, "hook": hook, "feed": tmp_path / "feed.atom"}
        yield (
            source,
            config,
            partners,
            {"TEST_WP_PASSWORD": WP_PASSWORD, "TEST_HOOK_SECRET": secret},
        )


def run(config: Path, env: dict[str, str], *args: str) -> str:
    result = syndicator(*args, config=config, env=env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def article_ids(tmp_path: Path) -> dict[str, str]:
    rows = query(tmp_path / "store.db", "select id, title from articles")
    return {row["title"]: row["id"] for row in rows}


def post_of(wordpress: WordPressReceiver, title: str) -> dict[str, Any]:
    return next(p for p in wordpress.posts.values() if p["title"]["raw"] == title)


def events(hook: WebhookReceiver, article_id: str) -> list[str]:
    """The event types the receiver accepted for the article, each webhook-id once."""
    return [
        payload["type"] for payload in hook.unique().values() if payload["data"]["id"] == article_id
    ]


def feed(path: Path) -> tuple[set[str], dict[str, str]]:
    """The Atom file's entry ids, and its tombstones' refs with their comments."""
    root = etree.parse(str(path)).getroot()
    entries = {e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")}
    stones = {d.get("ref"): d.findtext(f"{AT}comment") for d in root.iter(f"{AT}deleted-entry")}
    for stone in root.iter(f"{AT}deleted-entry"):
        assert stone.get("when"), "RFC 6721: a deleted-entry says when"
    return entries, stones


def test_a_withdrawal_reaches_every_partner_once_and_nothing_sends_it_again(
    tmp_path: Path,
) -> None:
    with world(tmp_path) as (source, config, partners, env):
        drafts, trash, hook = partners["drafts"], partners["trash"], partners["hook"]
        run(config, env, "run")
        ids = article_ids(tmp_path)
        ferry = ids[TITLES[0]]
        urn = f"urn:syndicator:article:{ferry}"
        assert post_of(drafts, TITLES[0])["status"] == "publish"
        assert urn in feed(partners["feed"])[0]

        said = run(config, env, "withdraw", ferry[:8], "--reason", "legal: takedown request")
        assert "takes it down from 4 partners" in said
        again = syndicator("withdraw", ferry, "--reason", "twice", config=config, env=env)
        assert again.returncode == 1 and "withdrawn already" in again.stderr

        planned = run(config, env, "publish", "--dry-run")
        assert planned.count(f"would withdraw {TITLES[0]!r} (legal: takedown request)") == 3
        assert "and 1 withdrawn to" in planned
        published = run(config, env, "publish")
        assert "0 sent" in published and "4 withdrawn" in published
        assert post_of(drafts, TITLES[0])["status"] == "draft"
        assert post_of(trash, TITLES[0])["status"] == "trash"
        assert post_of(drafts, TITLES[1])["status"] == "publish"  # the others stay
        assert events(hook, ferry) == ["article.published", "article.withdrawn"]
        withdrawn = next(p for p in hook.unique().values() if p["type"] == "article.withdrawn")
        assert withdrawn["data"]["reason"] == "legal: takedown request"
        assert not hook.rejected, "every request carried a valid signature"
        entries, stones = feed(partners["feed"])
        assert urn not in entries and stones == {urn: "legal: takedown request"}

        # not sent again: by a publish, a revision at the source, or a retry
        assert "0 sent" in run(config, env, "publish")
        source.pages[PATHS[0]] = source.pages[PATHS[0]].replace("<p>", "<p>Updated: ", 1)
        run(config, env, "run")
        revisions = query(tmp_path / "store.db", "select count(*) as n from revisions")
        assert revisions[0]["n"] == 1, "the recheck stored the source's new text"
        run(config, env, "retry", "--partner", "hook")
        run(config, env, "publish")
        assert events(hook, ferry) == ["article.published", "article.withdrawn"]
        assert post_of(drafts, TITLES[0])["status"] == "draft"
        assert len(drafts.posts) == 3 and len(trash.posts) == 3

        history = json.loads(run(config, env, "history", ferry, "--json"))
        actions = [(row["action"], row["partner"]) for row in history]
        assert actions[0] == ("fetched", None)
        assert ("withdrawn", None) in actions and ("revised", None) in actions
        sent = {p for a, p in actions if a == "withdrawal_sent"}
        assert sent == {"drafts", "trash", "hook", "feed"}
        assert next(r for r in history if r["action"] == "withdrawn")["command"] == "withdraw"

        assert "sends it to 4 partners" in run(config, env, "restore", ferry)
        restored = run(config, env, "publish")
        assert "4 sent (0 new, 4 updates)" in restored
        assert post_of(drafts, TITLES[0])["status"] == "publish"
        assert post_of(trash, TITLES[0])["status"] == "publish"
        assert "Updated: " in post_of(drafts, TITLES[0])["content"]["raw"]
        assert events(hook, ferry)[-1] == "article.restored"
        entries, stones = feed(partners["feed"])
        assert urn in entries and not stones
        assert len(drafts.posts) == 3, "the same post, published again"


def test_the_source_removing_a_page_withdraws_it_and_a_5xx_never_does(tmp_path: Path) -> None:
    with world(tmp_path) as (source, config, partners, env):
        drafts, hook = partners["drafts"], partners["hook"]
        run(config, env, "run")
        ids = article_ids(tmp_path)
        gone, missing, failing = (ids[t] for t in TITLES)
        source.status = {PATHS[0]: 410, PATHS[1]: 404, PATHS[2]: 503}

        # one ordinary run: 410 is gone for good; one 404 may pass; 503 is nobody's word
        first = syndicator("run", config=config, env=env)
        assert "withdrawn" in first.stdout
        assert post_of(drafts, TITLES[0])["status"] == "draft"
        assert events(hook, gone)[-1] == "article.withdrawn"
        for title in TITLES[1:]:
            assert post_of(drafts, title)["status"] == "publish"
        reason = query(
            tmp_path / "store.db", "select withdrawn_reason from articles where id = ?", (gone,)
        )[0]["withdrawn_reason"]
        assert reason == "the source answers 410 Gone"

        # a second recheck, withdraw_after_hours (0) later: the 404 lasted
        syndicator("run", config=config, env=env)
        assert post_of(drafts, TITLES[1])["status"] == "draft"
        assert events(hook, missing)[-1] == "article.withdrawn"
        assert post_of(drafts, TITLES[2])["status"] == "publish"
        assert events(hook, failing) == ["article.published"]

        # the page answering again does not bring a withdrawn copy back
        source.status = {}
        syndicator("run", config=config, env=env)
        assert post_of(drafts, TITLES[0])["status"] == "draft"
        rows = query(
            tmp_path / "store.db", "select id from articles where withdrawn_at is not null"
        )
        assert {row["id"] for row in rows} == {gone, missing}


@pytest.mark.wordpress
def test_a_withdrawal_on_real_wordpress(tmp_path: Path, real_wp: RealWordPress) -> None:
    real = real_wp
    source = Source()
    with source.site:
        config = write_config(
            tmp_path / "c.toml",
            [{"name": "courier", "sitemaps": [f"{source.site.url}/sitemap.xml"]}],
        )
        add_partners(config, real.partner(on_withdraw="trash"))
        run(config, real.env, "run")
        posts = {p["title"]["raw"]: p for p in real.posts()}
        ferry = posts[TITLES[0]]
        assert httpx.get(ferry["link"]).status_code == 200

        article = article_ids(tmp_path)[TITLES[0]]
        run(config, real.env, "withdraw", article, "--reason", "kill notice")
        run(config, real.env, "publish")
        trashed = real.api("GET", f"/wp/v2/posts/{ferry['id']}", context="edit")
        assert trashed["status"] == "trash"
        assert httpx.get(ferry["link"]).status_code != 200
        published = {p["title"]["raw"] for p in real.posts() if p["status"] == "publish"}
        assert published == set(TITLES[1:])

        run(config, real.env, "restore", article)
        run(config, real.env, "publish")
        back = real.api("GET", f"/wp/v2/posts/{ferry['id']}", context="edit")
        assert back["status"] == "publish"
        assert httpx.get(back["link"]).status_code == 200
        assert len(real.posts()) == 3, "the same post, not a second one"

        # a partner that drafts instead: the post is unpublished, not trashed
        config.write_text(config.read_text().replace('"trash"', '"draft"'))
        library = next(p for p in real.posts() if p["title"]["raw"] == TITLES[1])
        run(config, real.env, "withdraw", article_ids(tmp_path)[TITLES[1]], "--reason", "error")
        run(config, real.env, "publish")
        drafted = real.api("GET", f"/wp/v2/posts/{library['id']}", context="edit")
        assert drafted["status"] == "draft"
        assert httpx.get(library["link"]).status_code != 200


def test_a_withdrawn_story_does_not_come_back_as_another_sites_copy(tmp_path: Path) -> None:
    courier, mirror = Source(), Source()
    mirror.pages = {}
    secret = new_secret()
    with courier.site, mirror.site, WebhookReceiver(secret=secret) as hook:
        config = write_config(
            tmp_path / "c.toml",
            [
                {"name": "courier", "sitemaps": [f"{courier.site.url}/sitemap.xml"]},
                {"name": "mirror", "sitemaps": [f"{mirror.site.url}/sitemap.xml"]},
            ],
        )
        with config.open("a") as out:
            # the mirror's copy of a story would be the canonical one
            out.write(RECHECK + 'prefer = ["mirror", "courier"]\n')
        add_partners(config, hook_partner(hook))
        env = {"TEST_HOOK_SECRET": secret}
        run(config, env, "run")
        ferry = article_ids(tmp_path)[TITLES[0]]
        run(config, env, "withdraw", ferry, "--reason", "legal")
        run(config, env, "publish")
        assert events(hook, ferry) == ["article.published", "article.withdrawn"]

        mirror.pages["/copy/ferry/"] = courier.pages[PATHS[0]]
        said = run(config, env, "run")
        assert "0 sent" in said
        copies = query(
            tmp_path / "store.db",
            "select id, duplicate_of from articles where id != ? and duplicate_of is not null",
            (ferry,),
        )
        assert [c["duplicate_of"] for c in copies] == [ferry]
        assert {
            p["type"] for p in hook.unique().values() if p["data"]["id"] == copies[0]["id"]
        } == set()
