"""The publish step against what an attacker (or a sloppy source or partner) can
send: control characters in a source's text, a partner echoing our credentials,
redirects, absurd Retry-After values, text that returns to an earlier revision,
dates in the future. Each must end in one recorded line and a completed run."""

from __future__ import annotations

import base64
import json
import random
import re
import sqlite3
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import feedparser
import pytest

from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site
from syndicator.partners import retry_after_seconds
from syndicator.store import article_id
from tests import test_publish
from tests.conftest import query, syndicator, write_config
from tests.test_publish import WP_PASSWORD, Setup, hook_partner, wp_partner

# the publish tests' fixtures: a crawled demo store and local partners
crawled = test_publish.crawled
setup = test_publish.setup
webhook = test_publish.webhook
wordpress = test_publish.wordpress

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SIX_HOURS = timedelta(hours=6)


# -- a JSON Feed source whose text an attacker controls --------------------------------

PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9)))


def _page(title: str) -> str:
    """An article page whose body is its own: pages of one template would be
    taken for copies of one story."""
    rng = random.Random(title)
    paragraphs = "".join(
        "<p>" + " ".join(_word(rng) for _ in range(40)).capitalize() + ".</p>" for _ in range(6)
    )
    return PAGE.format(title=title, paragraphs=paragraphs)


def json_feed_site(root: Path, items: list[dict[str, Any]]) -> None:
    """One page per item (``slug``), and ``feed.json`` listing them."""
    for item in items:
        slug = item.pop("slug")
        (root / slug).mkdir(parents=True)
        title = slug.replace("-", " ").title()
        (root / slug / "index.html").write_text(_page(title))
        item.setdefault("id", slug)
        item["url"] = "{{SITE}}/" + slug + "/"
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Quayside", "items": items}
    (root / "feed.json").write_text(json.dumps(document))


def partner_block(partners: list[dict[str, Any]]) -> str:
    return "".join(
        "\n[[partners]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in p.items())
        for p in partners
    )


def test_control_characters_stop_no_publish(tmp_path: Path, webhook: WebhookReceiver) -> None:
    root = tmp_path / "site"
    json_feed_site(
        root,
        [
            {
                "slug": "harbour-lights",
                "authors": [{"name": "Evil\u0001Author"}],
                "tags": ["Har\u0002bour\ufffe"],
                "date_published": "2026-12-01T08:00:00Z",
            },
            {"slug": "night-market", "date_published": "2026-12-02T08:00:00Z"},
            {"slug": "ferry-times", "date_published": "2026-12-03T08:00:00Z"},
        ],
    )
    with Site("quayside", [root]) as site:
        config = write_config(
            tmp_path / "c.toml", [{"name": "quayside", "feeds": [f"{site.url}/feed.json"]}]
        )
        crawl = syndicator("crawl", config=config)
    assert crawl.returncode == 0, crawl.stderr
    db = tmp_path / "store.db"
    articles = query(db, "select * from articles")
    assert len(articles) == 3
    harbour = next(a for a in articles if "harbour-lights" in a["url"])
    assert harbour["author"] == "EvilAuthor"
    assert json.loads(harbour["tags"]) == ["Harbour"]
    for row in [*articles, *query(db, "select * from teasers")]:
        for column, value in row.items():
            assert not NOT_XML.search(str(value or "")), (column, value)

    # a row as a store written before the fix may hold it
    legacy = dict(next(a for a in articles if "ferry-times" in a["url"]))
    legacy_url = legacy["url"].replace("ferry-times", "legacy-row")
    legacy.update(
        id=article_id(legacy_url),
        url=legacy_url,
        canonical_url=legacy_url,
        title="Legacy\u0001Title",
        author="Old\u0002Store",
        published_at="2026-12-04T08:00:00+00:00",
        republish_html="<p>From an old store\u0001\uffff</p>",
    )
    conn = sqlite3.connect(db)
    conn.execute(
        f"insert into articles ({', '.join(legacy)}) values ({', '.join('?' * len(legacy))})",
        list(legacy.values()),
    )
    conn.commit()
    conn.close()

    with config.open("a") as out:
        out.write(
            partner_block(
                [
                    {"name": "feed", "kind": "atom", "path": "feed.atom"},
                    hook_partner(webhook),
                ]
            )
        )
    env = {"TEST_HOOK_SECRET": webhook.secret}
    published = syndicator("publish", config=config, env=env)
    assert "Traceback" not in published.stderr, published.stderr
    assert published.returncode == 1, published.stderr
    assert "feed:" in published.stderr and "XML" in published.stderr

    runs = query(db, "select status, finished_at, error from runs where command = 'publish'")
    assert [r["status"] for r in runs] == ["failed"] and runs[0]["finished_at"]
    assert "XML" in runs[0]["error"]
    rows = query(db, "select * from deliveries")
    assert "sending" not in {r["status"] for r in rows}
    hook = {r["article_id"]: r for r in rows if r["partner"] == "hook"}
    assert {r["status"] for r in hook.values()} == {"sent"} and len(hook) == 4
    assert len(webhook.unique()) == 4  # JSON carries any character
    feed_rows = {r["article_id"]: r for r in rows if r["partner"] == "feed"}
    assert feed_rows.pop(legacy["id"])["status"] == "failed"
    assert {r["status"] for r in feed_rows.values()} == {"sent"}
    assert (
        "XML"
        in query(db, "select last_error from deliveries where article_id = ?", (legacy["id"],))[0][
            "last_error"
        ]
    )
    feed = feedparser.parse(tmp_path / "feed.atom")
    assert not feed.bozo and len(feed.entries) == 3
    assert {e.link for e in feed.entries} == {a["url"] for a in articles}


def test_our_own_exceptions_fail_one_delivery_or_one_partner(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    """An answer our code does not expect, and a feed path that cannot be written,
    are that delivery's and that partner's failures; the rest is delivered."""
    blocked = setup.tmp / "feed.atom"
    blocked.mkdir()  # a directory where the feed file should go
    (blocked / "keep").write_text("x")
    partners = setup.only(
        wp_partner(wordpress),
        hook_partner(webhook),
        {"name": "feed", "kind": "atom", "path": str(blocked)},
    )
    # the partner says "created" but sends no post
    wordpress.faults.add(
        Fault(method="POST", path=r"^/wp/v2/posts$", status=201, body={"ok": True}, after=True)
    )
    result = partners.run("publish")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    n = len(partners.articles())
    assert len(webhook.unique()) == n
    wp_rows = partners.deliveries("wp")
    assert sorted(r["status"] for r in wp_rows) == ["pending"] + ["sent"] * (n - 1)
    [retry] = [r for r in wp_rows if r["status"] == "pending"]
    assert "KeyError" in retry["last_error"] and "\n" not in retry["last_error"]
    feed_rows = partners.deliveries("feed")
    assert {r["status"] for r in feed_rows} == {"pending"}
    assert all("IsADirectoryError" in r["last_error"] for r in feed_rows)
    [run] = query(partners.db, "select * from runs where command = 'publish'")
    assert run["status"] == "failed" and run["finished_at"]
    assert "feed:" in run["error"] and "KeyError" in run["error"]
    # the next run finds the post the first attempt made instead of making another
    conn = sqlite3.connect(partners.db)
    conn.execute("update deliveries set next_attempt_at = null")
    conn.commit()
    conn.close()
    again = partners.run("publish", "--partner", "wp")
    assert again.returncode == 0, again.stderr
    assert len(wordpress.posts) == n


# -- secrets ----------------------------------------------------------------------------


def secret_forms(user: str, secret: str) -> list[str]:
    """A secret as a partner could echo it."""
    forms = []
    for value in (secret, secret.replace(" ", "")):
        basic = base64.b64encode(f"{user}:{value}".encode()).decode()
        for variant in (value, basic):
            forms += [variant, quote(variant, safe=""), quote_plus(variant)]
            forms.append(json.dumps(variant)[1:-1].replace("/", "\\/"))
    return sorted(set(forms))


def test_secrets_echoed_by_a_partner_are_redacted_everywhere(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    partners = setup.only(wp_partner(wordpress), hook_partner(webhook))
    plain = WP_PASSWORD.replace(" ", "")
    # a WordPress plugin that quotes the request in its error, as JSON ...
    wordpress.faults.add(
        Fault(
            method="POST",
            path=r"^/wp/v2/posts$",
            status=400,
            echo=True,
            body={
                "code": "rest_invalid_param",
                "message": "Rejected. You sent {authorization} with {body} "
                f"(password {WP_PASSWORD!r}, {plain}, {quote_plus(WP_PASSWORD)})",
            },
        )
    )
    # ... and as plain text, cut by our 200-character limit inside the header
    wordpress.faults.add(
        Fault(
            method="POST",
            path=r"^/wp/v2/posts$",
            status=400,
            echo=True,
            body=("x" * 150 + " Authorization: {authorization} and so on").encode(),
            headers={"Content-Type": "text/plain"},
        )
    )
    # a webhook receiver that names the signing secret it expected
    webhook.faults.add(
        Fault(
            method="POST",
            status=400,
            body={"error": f"signature does not match {webhook.secret}"},
            times=1000,
        )
    )
    outputs = [partners.run("-vv", "publish")]
    assert outputs[0].returncode == 1
    assert "[secret]" in outputs[0].stderr
    outputs += [
        partners.run("status"),
        partners.run("status", "--json"),
        partners.run("deliveries", "--json"),
        partners.run("deliveries"),
    ]
    errors = [r["last_error"] for r in query(partners.db, "select last_error from deliveries")]
    assert sum("[secret]" in (e or "") for e in errors) >= 3
    blob = b"".join(p.read_bytes() for p in partners.tmp.glob("store.db*"))
    texts = [r.stdout + r.stderr for r in outputs]
    forms = [*secret_forms("editor", WP_PASSWORD), webhook.secret, webhook.secret[6:]]
    basic = base64.b64encode(f"editor:{WP_PASSWORD}".encode()).decode()
    forms.append(basic[:24])  # what survives a cut inside the header holds the password's start
    for form in forms:
        assert form.encode() not in blob, form
        for text in texts:
            assert form not in text, form


# -- redirects, Retry-After -------------------------------------------------------------


def test_a_redirect_is_not_a_delivery(
    setup: Setup, wordpress: WordPressReceiver, webhook: WebhookReceiver
) -> None:
    partners = setup.only(wp_partner(wordpress), hook_partner(webhook))
    elsewhere = "http://127.0.0.1:9/moved"
    webhook.faults.add(
        Fault(method="POST", status=301, headers={"Location": elsewhere}, times=1000)
    )
    # a proxy answering with a redirect whose body looks like a created post
    wordpress.faults.add(
        Fault(
            method="POST",
            path=r"^/wp/v2/posts$",
            status=302,
            headers={"Location": elsewhere},
            body={"id": 99, "link": "http://127.0.0.1:9/?p=99"},
            times=1000,
        )
    )
    result = partners.run("publish")
    assert result.returncode == 1
    assert webhook.deliveries == [] and wordpress.posts == {}
    for partner in ("hook", "wp"):
        rows = partners.deliveries(partner)
        assert {r["status"] for r in rows} == {"failed"}, partner
        assert all(elsewhere in r["last_error"] for r in rows), rows[0]["last_error"]
        assert all(r["attempts"] == 1 for r in rows)
    assert "redirect" in result.stderr


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 0.5 ", 0.5),
        ("0", 0.0),
        ("99999999999999", SIX_HOURS.total_seconds()),
        ("1e400", None),
        ("inf", None),
        ("nan", None),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Fri, 31 Dec 9999 23:59:59 GMT", SIX_HOURS.total_seconds()),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Mon, 99 Foo 2026 25:61:61 GMT", None),
    ],
)
def test_retry_after_is_read_defensively(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_absurd_retry_after_is_capped_and_the_run_completes(
    setup: Setup, webhook: WebhookReceiver
) -> None:
    only_hook = setup.only({**hook_partner(webhook), "concurrency": 1})
    for status, value in [
        (429, "99999999999999"),
        (503, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (429, "1e400"),
        (503, "-5"),
        (429, "nan"),
        (503, "soon"),
    ]:
        webhook.faults.add(Fault(method="POST", status=status, headers={"Retry-After": value}))
    before = datetime.now(UTC)
    result = only_hook.run("publish")
    assert "Traceback" not in result.stderr, result.stderr
    [run] = query(only_hook.db, "select * from runs where command = 'publish'")
    assert run["status"] in ("ok", "failed") and run["finished_at"]
    rows = only_hook.deliveries("hook")
    assert "sending" not in {r["status"] for r in rows}
    waiting = [r for r in rows if r["status"] == "pending"]
    assert waiting  # the huge ones are scheduled for later, no later than the cap
    for row in waiting:
        when = datetime.fromisoformat(row["next_attempt_at"])
        assert when <= before + SIX_HOURS + timedelta(minutes=5), row


# -- webhook ids --------------------------------------------------------------------------


def _set_body(db: Path, article: str, content_hash: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("update articles set content_hash = ? where id = ?", (content_hash, article))
    conn.commit()
    conn.close()


def test_each_delivery_has_its_own_webhook_id(setup: Setup, webhook: WebhookReceiver) -> None:
    """A -> B -> A: three deliveries, three ids, however the receiver drops repeats;
    every retry of one delivery (in the run, and in a later run) keeps its id."""
    only_hook = setup.only({**hook_partner(webhook), "concurrency": 1})
    article = only_hook.articles()[0]
    text_a = article["content_hash"]
    assert only_hook.run("publish").returncode == 0
    _set_body(only_hook.db, article["id"], "b" * 64)
    webhook.faults.add(Fault(method="POST", status=503, after=True))  # answer lost, retried
    assert only_hook.run("publish").returncode == 0
    _set_body(only_hook.db, article["id"], text_a)
    # the answer comes too late: the next run retries the same delivery
    webhook.faults.add(Fault(method="POST", status=None, delay=3, after=True, times=3))
    with only_hook.config.open("a") as out:
        out.write("timeout = 1\n")  # the hook partner's table is the file's last
    first = only_hook.run("publish")
    assert first.returncode == 1
    conn = sqlite3.connect(only_hook.db)
    conn.execute("update deliveries set next_attempt_at = null")
    conn.commit()
    conn.close()
    assert only_hook.run("publish").returncode == 0

    mine = [d for d in webhook.deliveries if d["payload"]["data"]["id"] == article["id"]]
    revisions = [d["payload"]["data"]["revision"] for d in mine]
    ids = [d["id"] for d in mine]
    # first post; update B twice (retried); back to A: at least three times, the last
    # one's attempts all carrying one id
    firsts = list(dict.fromkeys(ids))
    assert len(firsts) == 3, ids
    by_id = {i: {r for d, r in zip(ids, revisions, strict=True) if d == i} for i in firsts}
    assert all(len(r) == 1 for r in by_id.values())  # one id is one text
    assert by_id[firsts[0]] == by_id[firsts[2]]  # A, then A again under a new id
    assert ids.count(firsts[1]) == 2 and ids.count(firsts[2]) >= 2
    unique = webhook.unique()
    assert unique[firsts[2]]["data"]["revision"] == revisions[0]


# -- dates in the future ------------------------------------------------------------------


def test_future_dates_are_clamped_and_noted(tmp_path: Path, wordpress: WordPressReceiver) -> None:
    root = tmp_path / "site"
    json_feed_site(
        root,
        [
            {"slug": "tomorrow-never", "date_published": "2099-01-01T00:00:00Z"},
            {"slug": "ordinary-day", "date_published": "2026-12-02T08:00:00Z"},
        ],
    )
    before = datetime.now(UTC).replace(microsecond=0)
    with Site("quayside", [root]) as site:
        config = write_config(
            tmp_path / "c.toml", [{"name": "quayside", "feeds": [f"{site.url}/feed.json"]}]
        )
        crawl = syndicator("crawl", config=config)
    assert crawl.returncode == 0, crawl.stderr
    after = datetime.now(UTC)
    db = tmp_path / "store.db"
    rows = {r["url"].rsplit("/", 2)[1]: r for r in query(db, "select * from articles")}
    clamped = datetime.fromisoformat(rows["tomorrow-never"]["published_at"])
    assert before <= clamped <= after
    assert rows["ordinary-day"]["published_at"] == "2026-12-02T08:00:00+00:00"
    [note] = query(db, "select * from notes")
    assert note["kind"] == "future_date" and note["partner"] == ""
    assert note["article_id"] == rows["tomorrow-never"]["id"]
    assert note["source"] == "quayside"
    assert note["detail"] == (
        "published_at 2099-01-01T00:00:00+00:00 is in the future; stored as the fetch time"
    )

    # a store written before the fix still holds such a date: WordPress must not schedule it
    conn = sqlite3.connect(db)
    conn.execute(
        "update articles set published_at = '2099-01-01T00:00:00+00:00' where id = ?",
        (rows["ordinary-day"]["id"],),
    )
    conn.commit()
    conn.close()
    with config.open("a") as out:
        out.write(partner_block([wp_partner(wordpress)]))
    published = syndicator("publish", config=config, env={"TEST_WP_PASSWORD": WP_PASSWORD})
    assert published.returncode == 0, published.stderr
    posts = list(wordpress.posts.values())
    assert len(posts) == 2 and {p["status"] for p in posts} == {"publish"}
    now = datetime.now(UTC).isoformat()[:19]
    assert all(p["date_gmt"] <= now for p in posts)
