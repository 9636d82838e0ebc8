"""A source's terms (syndicator.rights): its licence in the attribution, copies
cut to an excerpt or not sent at all, paywalled pages held, an embargo, and
copies that expire on each partner.

Real parts: a local site serving four sources' sitemaps, a webhook receiver
that verifies signatures, the local WordPress; embargo and expiry are
published in process with a clock the test sets (nothing sleeps)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from syndicator.config import load_config
from syndicator.demo.receivers import WebhookReceiver, WordPressReceiver, new_secret
from syndicator.demo.siteserver import Site
from syndicator.publish import Publisher
from syndicator.store import Store
from tests.conftest import add_partners, query, real_stories, syndicator, write_config
from tests.test_publish import WP_PASSWORD, hook_partner, wp_partner

STORIES = [s for s in real_stories(150) if s.isascii()]
LICENCE = "https://creativecommons.org/licenses/by-nd/4.0/"
NOW = datetime.now(UTC).replace(microsecond=0)


def page(title: str, text: str, published: datetime, extra: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<html lang='en'><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{published.isoformat()}">{extra}'
        f"</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


PAYWALL_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "isAccessibleForFree": "False", "hasPart": '
    '{"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paid"}}'
    "</script>"
)


class Sources:
    """One local site; each source has its own sitemap of its own articles."""

    def __init__(self, articles: dict[str, dict[str, str]]) -> None:
        self.articles = articles  # source -> path -> html
        self.site = Site("rights", [])
        self.site.hook = self.answer

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        name = path.strip("/").removesuffix(".xml")
        if path.endswith(".xml") and name in self.articles:
            urls = "".join(f"<url><loc>{self.site.url}{p}</loc></url>" for p in self.articles[name])
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        for pages in self.articles.values():
            if path in pages:
                return 200, {"Content-Type": "text/html; charset=utf-8"}, pages[path].encode()
        return None

    def source(self, name: str, **terms: Any) -> dict[str, Any]:
        return {"name": name, "sitemaps": [f"{self.site.url}/{name}.xml"], **terms}


@contextmanager
def partners(config: Path) -> Iterator[tuple[WordPressReceiver, WebhookReceiver, dict[str, str]]]:
    secret = new_secret()
    with WordPressReceiver(app_password=WP_PASSWORD) as wp, WebhookReceiver(secret=secret) as hook:
        add_partners(config, wp_partner(wp), hook_partner(hook))
        yield wp, hook, {"TEST_WP_PASSWORD": WP_PASSWORD, "TEST_HOOK_SECRET": secret}


def payloads(hook: WebhookReceiver) -> dict[str, dict[str, Any]]:
    """The latest content payload of each article, by title."""
    return {
        p["data"]["title"]: p["data"]
        for p in hook.unique().values()
        if p["type"] != "article.withdrawn"
    }


def test_licence_excerpt_none_and_paywalls(tmp_path: Path) -> None:
    day = NOW - timedelta(days=1)
    sources = Sources(
        {
            "courier": {"/c/bridge/": page("Bridge reopens", STORIES[0], day)},
            "wire": {"/w/ferry/": page("Ferry strike ends", STORIES[1], day)},
            "archive": {"/a/old/": page("Archive story", STORIES[2], day)},
            "paid": {
                "/p/marked/": page("Marked paywalled", STORIES[3], day, PAYWALL_LD),
                "/p/notice/": page("Paywall notice", STORIES[4], day).replace(
                    "<article>", "<article><div class='paywall-notice'>Subscribers only</div>"
                ),
            },
            "licensed": {"/l/allowed/": page("Allowed paywalled", STORIES[5], day, PAYWALL_LD)},
        }
    )
    with sources.site:
        config = write_config(
            tmp_path / "c.toml",
            [
                sources.source("courier", licence={"name": "CC BY-ND 4.0", "url": LICENCE}),
                sources.source("wire", republish="excerpt", excerpt_words=12),
                sources.source("archive", republish="none"),
                sources.source("paid", paywall=".paywall-notice"),
                sources.source("licensed", paywalled="allow"),
            ],
        )
        with partners(config) as (wp, hook, env):
            result = syndicator("run", config=config, env=env)
            assert result.returncode == 0, result.stderr
            got = payloads(hook)

            courier = got["Bridge reopens"]["republish_html"]
            assert f'Republished under <a href="{LICENCE}"' in courier and "CC BY-ND 4.0" in courier
            # an excerpt everywhere a partner looks: the payload's text and HTML, the post
            wire = got["Ferry strike ends"]
            first = " ".join(STORIES[1].split()[:12])
            assert wire["body_text"] == first
            assert STORIES[1].split()[40] not in wire["republish_html"].split()
            assert "Read the whole article at wire" in wire["republish_html"]
            post = next(p for p in wp.posts.values() if p["title"]["raw"] == "Ferry strike ends")
            assert "Read the whole article at wire" in post["content"]["raw"]
            assert len(post["content"]["raw"]) < len(STORIES[1])
            # none: stored, never queued
            assert "Archive story" not in got
            db = tmp_path / "store.db"
            stored = {r["title"]: r for r in query(db, "select id, title, hold from articles")}
            assert "Archive story" in stored
            archived = stored["Archive story"]["id"]
            assert not query(db, "select 1 from deliveries where article_id = ?", (archived,))
            # paywalled: held with the reason, unless the source may republish them
            assert "Marked paywalled" not in got and "Paywall notice" not in got
            assert stored["Marked paywalled"]["hold"] == (
                "paywalled: schema.org isAccessibleForFree is false"
            )
            assert "paywall selector '.paywall-notice'" in stored["Paywall notice"]["hold"]
            assert "Allowed paywalled" in got
            held = query(
                db,
                "select status, last_error from deliveries where last_error like ?",
                ("held: paywalled%",),
            )
            assert len(held) == 4 and {r["status"] for r in held} == {"held"}

            shown = syndicator("show", stored["Ferry strike ends"]["id"], "--json", config=config)
            rights = json.loads(shown.stdout)["rights"]
            assert rights == "republished as an excerpt of 12 words and a link"


def _publish(config_path: Path, at: datetime, env: dict[str, str]) -> Any:
    os.environ.update(env)
    config = load_config(config_path)
    store = Store(config.store_path)
    try:
        return asyncio.run(Publisher(config, store, clock=lambda: at).run(list(config.partners)))
    finally:
        store.close()


def test_an_embargo_and_an_expiry_by_the_publishers_clock(tmp_path: Path) -> None:
    published = NOW - timedelta(hours=1)
    sources = Sources(
        {
            "embargoed": {"/e/budget/": page("Budget leaks", STORIES[0], published)},
            "expiring": {"/x/fair/": page("Autumn fair", STORIES[1], published)},
        }
    )
    with sources.site:
        config = write_config(
            tmp_path / "c.toml",
            [
                sources.source("embargoed", embargo_hours=3),
                sources.source("expiring", expire_days=2),
            ],
        )
        with partners(config) as (wp, hook, env):
            crawl = syndicator("crawl", config=config, env=env)
            assert crawl.returncode == 0, crawl.stderr
            db = tmp_path / "store.db"

            first = _publish(config, NOW, env)
            assert first.total("new") == 2, "the expiring source's article, to both partners"
            assert set(payloads(hook)) == {"Autumn fair"}
            until = (published + timedelta(hours=3)).isoformat()
            waiting = query(db, "select last_error from deliveries where status = 'pending'")
            assert [r["last_error"] for r in waiting] == [f"embargoed until {until}"] * 2

            _publish(config, published + timedelta(hours=3) - timedelta(minutes=1), env)
            assert set(payloads(hook)) == {"Autumn fair"}, "not a minute early"
            _publish(config, published + timedelta(hours=3, minutes=1), env)
            assert set(payloads(hook)) == {"Autumn fair", "Budget leaks"}

            assert _publish(config, NOW + timedelta(days=1), env).total("withdrawn") == 0
            expired = _publish(config, NOW + timedelta(days=2, minutes=5), env)
            assert expired.total("withdrawn") == 2
            post = next(p for p in wp.posts.values() if p["title"]["raw"] == "Autumn fair")
            assert post["status"] == "draft"
            taken = [p for p in hook.unique().values() if p["type"] == "article.withdrawn"]
            assert len(taken) == 1 and taken[0]["data"]["reason"].startswith("expired: 2 days")
            # expired is for good: not sent again, by a publish or by a retry
            syndicator("retry", "--partner", "hook", config=config, env=env)
            again = _publish(config, NOW + timedelta(days=3), env)
            assert again.total("new") + again.total("updated") + again.total("withdrawn") == 0
            events = query(db, "select action, partner from events where action = 'expired'")
            assert sorted(e["partner"] for e in events) == ["hook", "wp"]
