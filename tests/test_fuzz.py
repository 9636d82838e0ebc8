"""Fuzzing every input surface against the promises in the README's Guarantees.

Two layers:

* **Whole runs** (:func:`test_fuzzed_worlds_keep_every_guarantee`): hypothesis
  draws a hostile world (tests/fuzz_world.py: feeds, sitemaps, JSON Feed,
  pages, images and partner answers), serves it on loopback and runs the real
  ``syndicator run`` against it and against a WordPress-like partner, a signed
  webhook receiver and an Atom partner. After each run: the run completed (no
  traceback, runs closed, nothing left ``sending``); the store is consistent;
  nothing executable reached the store or a partner; no secret reached the
  store, the output or a partner; the media library holds only real images;
  a canary on a loopback address nobody allowed was never reached.
* **Parsers and settings** (the ``test_*_never_*`` tests): the functions
  every fetched byte and config value goes through, many examples a second.

``make test`` runs a short, derandomised budget; ``make test-long`` sets
``SYNDICATOR_FUZZ=long`` for a long, random one.
"""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site
from tests.conftest import ROOT, add_partners, query, write_config
from tests.fuzz_world import CANARY_HOST, WP_PASSWORD, WP_USER, World, worlds
from tests.test_hostile import executable_content, store_problems

LONG = os.environ.get("SYNDICATOR_FUZZ") == "long"
# with SYNDICATOR_FUZZ=long: how many whole runs (the parsers get a hundred times as many)
WORLDS = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def budget(short: int, long: int, shrink: bool = True) -> Any:
    """A short, repeatable budget in ``make test``; a long, random one in
    ``make test-long``. Without ``shrink`` a failing example is reported as
    drawn: shrinking whole runs of several seconds each would take hours."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(
        phases=phases,
        max_examples=long if LONG else short,
        derandomize=not LONG,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None if not LONG else settings.default.database,
    )


# characters XML 1.0 cannot carry: what broke the Atom writer
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# a stored date may be ahead of the clock by this much (the documented skew) and no more
FUTURE_SKEW_SECONDS = 3600 + 300
RASTER_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


# -- serving a world --------------------------------------------------------------


class Served:
    """A world on loopback: its site, a canary, and the three partners."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.canary = Site("canary", [], host=CANARY_HOST)
        self.canary.hook = lambda path: (200, {"Content-Type": "text/html"}, b"canary")
        self.site = Site("fuzzed", [])
        self.site.hook = self._answer
        self.wordpress = WordPressReceiver(username=WP_USER, app_password=WP_PASSWORD)
        self.webhook = WebhookReceiver(secret=new_secret())

    def _fill(self, value: str) -> str:
        return value.replace("{SITE}", self.site.url).replace("{CANARY}", self.canary.url)

    def _answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        answer = self.world.answers.get(path.split("?")[0])
        if answer is None:
            return 404, {"Content-Type": "text/html"}, b"<html>not found</html>"
        headers = {k: self._fill(v) for k, v in answer.headers.items()}
        if answer.content_type:
            headers["Content-Type"] = answer.content_type
        body = answer.body.replace(b"{SITE}", self.site.url.encode())
        return answer.status, headers, body.replace(b"{CANARY}", self.canary.url.encode())

    def __enter__(self) -> Served:
        for server in (self.canary, self.site, self.wordpress, self.webhook):
            server.start()
        for receiver, faults in (
            (self.wordpress, self.world.wordpress_faults),
            (self.webhook, self.world.webhook_faults),
        ):
            for fault in faults:
                headers = {k: self._fill(v) for k, v in fault["headers"].items()}
                receiver.faults.add(Fault(**{**fault, "headers": headers}))
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self.canary, self.site, self.wordpress, self.webhook):
            server.stop()

    def config(self, folder: Path) -> Path:
        site = self.site.url
        path = write_config(
            folder / "c.toml",
            [
                {
                    "name": "fuzzed",
                    "feeds": [site + p for p in self.world.feeds],
                    "sitemaps": [site + p for p in self.world.sitemaps],
                    "min_words": 5,
                    "follow_teasers": True,
                    "crawl": {"retries": 0, "timeout": 5},
                }
            ],
        )
        partners = [
            {
                "name": "wp",
                "kind": "wordpress",
                "url": self.wordpress.url,
                "username": WP_USER,
                "password_env": "FUZZ_WP_PASSWORD",
                "max_attempts": 3,
                "timeout": 10,
                "allow_networks": ["127.0.0.1/32"],
            },
            {
                "name": "hook",
                "kind": "webhook",
                "url": self.webhook.url,
                "secret_env": "FUZZ_HOOK_SECRET",
                "max_attempts": 3,
                "timeout": 10,
                "allow_networks": ["127.0.0.1/32"],
            },
            {"name": "feed", "kind": "atom", "path": "partner.atom"},
        ]
        return add_partners(path, *partners)

    def secrets(self) -> list[str]:
        basic = base64.b64encode(f"{WP_USER}:{WP_PASSWORD}".encode()).decode()
        return [WP_PASSWORD, WP_PASSWORD.replace(" ", ""), basic, self.webhook.secret]


def run(config: Path, env: dict[str, str], limit: float = 150) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syndicator", "--config", str(config), "run"]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=limit,
            cwd=ROOT,
            env={**os.environ, **env},
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"syndicator run did not end in {limit:.0f} s; stderr: {exc.stderr!r}")


# -- the guarantees, checked after a run --------------------------------------------


def completed(result: subprocess.CompletedProcess[str], db: Path) -> list[str]:
    problems = []
    if result.returncode not in (0, 1):
        problems.append(f"exit code {result.returncode}")
    if "Traceback" in result.stderr:
        problems.append(f"a traceback on stderr: {result.stderr[-2000:]}")
    for row in query(db, "select id, command, status from runs where status = 'running'"):
        problems.append(f"run {row['id']} ({row['command']}) left running")
    for row in query(db, "select article_id, partner from deliveries where status = 'sending'"):
        problems.append(f"delivery {row['article_id']} to {row['partner']} left sending")
    return problems


def consistent(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        problems = [f"integrity: {r[0]}" for r in conn.execute("pragma integrity_check")]
        problems = [p for p in problems if p != "integrity: ok"]
        problems += [f"foreign key: {r}" for r in conn.execute("pragma foreign_key_check")]
    finally:
        conn.close()
    statuses = {"pending", "sending", "sent", "held", "failed", "skipped"}
    for row in query(db, "select distinct status from deliveries"):
        if row["status"] not in statuses:
            problems.append(f"unknown delivery status {row['status']!r}")
    return problems


def text_is_xml_safe_and_dates_are_past(db: Path) -> list[str]:
    problems = []
    horizon = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + FUTURE_SKEW_SECONDS))
    for table in ("articles", "teasers"):
        for row in query(db, f"select * from {table}"):
            for column, value in row.items():
                if isinstance(value, str) and NOT_XML.search(value):
                    problems.append(f"{table}.{column} holds {NOT_XML.search(value)[0]!r}")
            for column in ("published_at", "modified_at"):
                if (row.get(column) or "")[:19] > horizon:
                    problems.append(f"{table}.{column} in the future: {row[column]}")
    return problems


def partners_got_only_safe_content(served: Served, folder: Path) -> list[str]:
    problems = []
    if served.webhook.rejected:
        problems.append(f"webhook signatures that do not verify: {served.webhook.rejected}")
    for delivery in served.webhook.deliveries:
        markup = delivery["payload"]["data"].get("republish_html")
        problems += [f"webhook payload: {p}" for p in executable_content(markup)]
    for post in served.wordpress.posts.values():
        problems += [f"post {post['id']}: {p}" for p in executable_content(post["content"]["raw"])]
    for media_id, item in served.wordpress.media.items():
        data = served.wordpress.media_bytes(media_id)
        if not data.startswith(RASTER_MAGIC) and not (
            data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        ):
            problems.append(f"media {media_id} is not an image: {data[:40]!r}")
        name = str(item.get("source_url") or "")
        if not re.search(r"\.(png|jpe?g|gif|webp)$", name, re.I):
            problems.append(f"media {media_id} served as {name!r}")
    slugs = [post["slug"] for post in served.wordpress.posts.values()]
    if len(slugs) != len(set(slugs)):
        problems.append(f"duplicate posts: {sorted(slugs)}")
    feed = folder / "partner.atom"
    if feed.exists():
        try:
            tree = etree.parse(str(feed))
        except etree.XMLSyntaxError as exc:
            problems.append(f"the Atom partner's file is not XML: {exc}")
        else:
            for content in tree.iter("{http://www.w3.org/2005/Atom}content"):
                problems += [f"atom entry: {p}" for p in executable_content(content.text)]
    return problems


def secrets_kept(served: Served, result: subprocess.CompletedProcess[str], db: Path) -> list[str]:
    problems = []
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    received = repr(served.webhook.deliveries) + repr(served.wordpress.posts)
    for secret in served.secrets():
        for where, haystack in (
            ("the store", stored.decode("latin-1")),
            ("stdout", result.stdout),
            ("stderr", result.stderr),
            ("a partner", received),
        ):
            if secret in haystack:
                problems.append(f"a secret ({secret[:4]}…) in {where}")
    return problems


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Any]:
    """A fresh folder per example (hypothesis runs many examples in one test call)."""
    counter = iter(range(10**6))

    def make() -> Path:
        folder = tmp_path / f"example-{next(counter)}"
        folder.mkdir()
        return folder

    yield make


@pytest.mark.slow
@pytest.mark.timeout(0)  # each example is bounded by run()'s own limit
@budget(short=12, long=WORLDS, shrink=False)
@given(world=worlds())
def test_fuzzed_worlds_keep_every_guarantee(world: World, scratch: Any) -> None:
    folder = scratch()
    with Served(world) as served:
        config = served.config(folder)
        env = {"FUZZ_WP_PASSWORD": WP_PASSWORD, "FUZZ_HOOK_SECRET": served.webhook.secret}
        result = run(config, env)
        db = folder / "store.db"
        problems = (
            completed(result, db)
            + consistent(db)
            + store_problems(db)
            + text_is_xml_safe_and_dates_are_past(db)
            + partners_got_only_safe_content(served, folder)
            + secrets_kept(served, result, db)
        )
        if served.canary.requests:
            problems.append(f"the canary was reached: {[r.path for r in served.canary.requests]}")
    assert not problems, "\n".join(problems) + f"\nstdout: {result.stdout}\nstderr: {result.stderr}"


# -- parsers of fetched bytes ---------------------------------------------------------

raw_bytes = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
)


# built in the test, so that hypothesis does not print 200 kB when one fails
PATHOLOGICAL = {
    "deep JSON arrays": b"[" * 200_000,
    "deep JSON objects": b'{"a":' * 200_000,
    "a JSON Feed nested deep": b'{"version": "https://jsonfeed.org/version/1", "items": '
    + b"[" * 200_000,
    "deep XML": b"<rss>" + b"<a>" * 200_000,
    "an XML entity bomb": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;">' % ((b"a" * n,) + (b"a" * (n - 1),) * 5)
        for n in range(2, 30)
    )
    + b"]><rss>&"
    + b"a" * 29
    + b";</rss>",
}


def with_pathological_examples(test: Any) -> Any:
    """Each pathological document once (they cost seconds), besides the drawn bytes."""
    for name in PATHOLOGICAL:
        test = example(body=b"", pathological=name)(test)
    return test


@budget(short=300, long=WORLDS * 100)
@with_pathological_examples
@given(body=raw_bytes, pathological=st.none())
def test_feed_reading_never_raises(body: bytes, pathological: str | None) -> None:
    from spiders.discovery import read_feed

    body = PATHOLOGICAL[pathological] if pathological else body
    for ctype in ("application/rss+xml", "application/feed+json"):
        result = read_feed(body, "http://127.0.0.1/feed", {"content-type": ctype})
        assert all(isinstance(p, str) and "\n" not in p for p in result.problems)


@budget(short=300, long=WORLDS * 100)
@with_pathological_examples
@given(body=raw_bytes, pathological=st.none())
def test_sitemap_reading_never_raises(body: bytes, pathological: str | None) -> None:
    from spiders.discovery import read_sitemap

    body = PATHOLOGICAL[pathological] if pathological else body
    result = read_sitemap(body, "http://127.0.0.1/sitemap.xml")
    assert all(isinstance(p, str) and "\n" not in p for p in result.problems)


@budget(short=100, long=WORLDS * 20)
@given(html=st.one_of(st.text(max_size=3000), st.sampled_from(["<div>" * 5000, "<p>x" * 20000])))
def test_page_extraction_never_raises(html: str) -> None:
    from syndicator.extraction import extract_page

    result = extract_page(html, "http://127.0.0.1/story/")
    assert isinstance(result.get("body_text", ""), str)


# -- what partners answer, what the config says, what we store and print -------------


@budget(short=500, long=WORLDS * 100)
@given(
    value=st.one_of(
        st.text(max_size=40),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
        st.sampled_from(
            ["99999999999999", "1e400", "-0", "0x10", " 5 ", "Fri, 31 Dec 9999 23:59:59 GMT"]
        ),
    )
)
def test_retry_after_is_never_a_crash_nor_a_wait_past_the_cap(value: str) -> None:
    from syndicator.partners import RETRY_AFTER_CAP, retry_after_seconds
    from syndicator.publish_retries import backoff_until

    seconds = retry_after_seconds(value)
    assert seconds is None or 0 <= seconds <= RETRY_AFTER_CAP
    backoff_until(3, seconds)  # the date it gives is always representable


NUMBERS = {
    "crawl": ["delay", "concurrency_per_domain", "timeout", "retries", "max_response_bytes"],
    "extraction": ["timeout", "max_memory_mb"],
    "dedup": ["threshold", "containment"],
    "publisher": ["teaser_words"],
    "sources": ["section_depth", "min_words", "max_articles_per_run", "max_sitemaps_per_run"],
}
toml_numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["inf", "-inf", "nan", "1e9", "1e400", "-0.0", "0"]),
)


@budget(short=300, long=WORLDS * 20)
@given(
    table=st.sampled_from(sorted(NUMBERS)),
    data=st.data(),
    number=toml_numbers,
)
def test_every_config_number_is_accepted_in_range_or_refused_in_one_line(
    table: str, data: st.DataObject, number: str, tmp_path_factory: Any
) -> None:
    import math

    from syndicator.config import load_config
    from syndicator.errors import ConfigError

    key = data.draw(st.sampled_from(NUMBERS[table]))
    folder = tmp_path_factory.mktemp("config")
    lines = ["[publisher]", 'name = "P"', 'contact_url = "https://p.example/"']
    source = ["[[sources]]", 'name = "s"', 'feeds = ["https://s.example/feed"]']
    if table == "publisher":
        lines.append(f"{key} = {number}")
    elif table == "sources":
        source.append(f"{key} = {number}")
    else:
        lines += [f"[{table}]", f"{key} = {number}"]
    path = folder / "c.toml"
    path.write_text("\n".join(lines + source) + "\n")
    try:
        config = load_config(path)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and key in message, message
        return
    holder = config.sources[0] if table == "sources" else getattr(config, table)
    value = getattr(holder, key)
    assert value is not None and math.isfinite(value), (key, number, value)


@budget(short=300, long=WORLDS * 20)
@given(
    secret=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=8, max_size=40
    ),
    user=st.text(string.ascii_letters, min_size=1, max_size=10),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
    cut=st.integers(0, 40),
)
def test_a_secret_is_redacted_however_a_partner_writes_it_back(
    secret: str, user: str, before: str, after: str, cut: int
) -> None:
    import json
    from urllib.parse import quote, quote_plus

    from syndicator.logs import Redactor

    redact = Redactor([secret, base64.b64encode(f"{user}:{secret}".encode()).decode()])
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    for form in (
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        basic,
    ):
        line = redact(f"{before}{form}{after}")
        assert form not in line, (form, line)
        truncated = redact(f"{before}{form[: max(8, cut)]}")  # a message cut inside it
        assert form[: max(8, cut)] not in truncated or len(form) < 8, truncated


@budget(short=500, long=WORLDS * 100)
@given(
    value=st.recursive(
        st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=20,
    )
)
def test_text_stored_from_sources_is_fit_for_xml(value: Any) -> None:
    from syndicator.sanitize import xml_safe

    clean = xml_safe(value)
    assert not NOT_XML.search(json_text(clean))
    assert xml_safe(clean) == clean


def json_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
