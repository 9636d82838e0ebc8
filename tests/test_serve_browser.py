"""``syndicator serve`` and ``syndicator report --html``, seen through a real browser.

A real crawl fills the store from the demo sites and a hostile site whose
article carries script payloads; a real publish to a local webhook partner
that refuses two deliveries (its error message carries a payload too) gives
failed deliveries. Then ``syndicator serve`` runs in a subprocess and headless
Chromium (Debian's, driven by Playwright) searches, opens rows and the charts
page, checking what an operator sees and that no script from the store ran.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.siteserver import Site
from tests.conftest import ROOT, demo_sources, query, syndicator, write_config

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no chromium: `make chromium` installs Debian's"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Every payload sets the same flag, so one check covers them all.
PWN = "window.__pwned=1;document.title='pwned'"
HOSTILE_TITLE = "River district flood warning"
HOSTILE_ARTICLE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{HOSTILE_TITLE} &lt;img src=x onerror="{PWN}"&gt;</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-20T08:00:00+00:00">
<script>{PWN}</script>
</head><body onload="{PWN}">
<article>
<h1>{HOSTILE_TITLE}</h1>
<script>{PWN}</script>
<p>The river authority issued a flood warning for the lower district on Friday
morning after two days of heavy rain upstream raised the water level by more
than a metre, and residents were asked to move cars away from the embankment.</p>
<p>Residents who reported the warning on the council's web form typed
&lt;img src=x onerror="{PWN}"&gt; and &lt;script&gt;{PWN}&lt;/script&gt; into
the comment box, which the council's site printed back word for word.</p>
<p><img src="x" onerror="{PWN}">Sandbags are available at the depot on Mill
Lane from eight in the morning until late evening, and volunteers will help
older residents carry them home if they call the hotline before noon.</p>
<p>The authority expects the water to peak on Saturday night and to fall again
by Monday, when engineers will inspect the embankment walls and the old pumping
station that failed during the floods three winters ago.</p>
</article></body></html>
"""
HOSTILE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Hostile Times</title><link>{{SITE}}/</link>
<description>x</description>
<item><title>River district flood warning</title><link>{{SITE}}/news/flood-warning/</link>
<pubDate>Fri, 20 Nov 2026 08:00:00 +0000</pubDate></item>
</channel></rss>
"""
PARTNER_ERROR = f"<script>{PWN}</script> payload refused"


@dataclass
class Served:
    url: str
    db: Path
    config: Path
    db_sha256: str


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"syndicator serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"syndicator serve did not answer at {url}")


@pytest.fixture(scope="module")
def store(sites: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A store from a real crawl and a publish with two refused deliveries."""
    tmp = tmp_path_factory.mktemp("serve")
    hostile = tmp / "hostile"
    (hostile / "news" / "flood-warning").mkdir(parents=True)
    (hostile / "news" / "flood-warning" / "index.html").write_text(HOSTILE_ARTICLE)
    (hostile / "feed.xml").write_text(HOSTILE_FEED)
    with (
        Site(name="hostile-times", roots=[hostile]) as site,
        WebhookReceiver(secret=new_secret()) as webhook,
    ):
        sources = [
            *demo_sources(sites),
            {"name": "hostile-times", "feeds": [f"{site.url}/feed.xml"]},
        ]
        config = write_config(tmp / "c.toml", sources)
        with config.open("a") as out:
            out.write(
                f'\n[[partners]]\nname = "hook"\nkind = "webhook"\nurl = "{webhook.url}"\n'
                'secret_env = "TEST_HOOK_SECRET"\nallow_networks = ["127.0.0.1/32"]\n'
            )
        crawled = syndicator("crawl", config=config)
        assert crawled.returncode == 0, crawled.stderr
        webhook.faults.add(
            Fault(method="POST", status=400, times=2, body={"message": PARTNER_ERROR})
        )
        published = syndicator("publish", config=config, env={"TEST_HOOK_SECRET": webhook.secret})
        assert published.returncode == 1, published.stderr  # the two refusals
    yield tmp / "store.db", config


@pytest.fixture(scope="module")
def served(store: tuple[Path, Path]) -> Iterator[Served]:
    db, config = store
    digest = _sha256(db)
    port = _free_port()
    log = (db.parent / "serve.log").open("w")  # a file, not a pipe nobody reads while it runs
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "--config", str(config), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url + "/", process)
        yield Served(url, db, config, digest)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print((db.parent / "serve.log").read_text()[-3000:])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that fails the test if a dialog opened, a script errored or
    the Content-Security-Policy blocked anything (Datasette's own scripts included)."""
    context = browser.new_context()
    page = context.new_page()
    trouble: list[str] = []
    page.on(
        "dialog", lambda dialog: (trouble.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    page.on("pageerror", lambda error: trouble.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            trouble.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    yield page
    assert page.evaluate("window.__pwned") is None
    assert page.title() != "pwned"
    context.close()
    assert not trouble, trouble


def _not_pwned(page: Any) -> None:
    assert page.evaluate("window.__pwned") is None, "a script from the store ran"
    assert page.title() != "pwned"


def test_search_finds_articles_and_opens_one(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    page.get_by_role("link", name="search articles").click()
    page.locator("input[name=q]").fill("bridge")
    page.locator("input[type=submit][value='Run SQL']").click()
    page.wait_for_load_state("load")
    rows = page.locator("table.rows-and-columns tbody tr")
    expected = query(
        served.db,
        "select count(*) as n from articles_fts where articles_fts match 'bridge'",
    )[0]["n"]
    assert expected >= 2
    assert rows.count() == expected
    title = "Council approves $3.1 million repair of the Ferry Street Bridge"
    row = rows.filter(has_text=title).first
    row.locator("a").first.click()  # the article id links to its row page
    page.wait_for_load_state("load")
    assert "/store/articles/" in page.url
    assert page.locator("td.col-title").inner_text().strip() == title
    assert "Ferry Street" in page.locator("td.col-body_text").inner_text()
    _not_pwned(page)


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(served: Served, page: Any) -> None:
    stored = query(served.db, "select * from articles where source = 'hostile-times'")
    assert len(stored) == 1
    article = stored[0]
    assert article["title"] == HOSTILE_TITLE  # markup in titles never reaches the store
    assert '<img src=x onerror="window.__pwned' in article["body_text"]  # but text can look like it
    page.goto(served.url + "/store/articles")
    page.locator("input[name=_search]").fill("flood embankment")
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_load_state("load")
    page.get_by_role("link", name=article["id"]).click()
    page.wait_for_load_state("load")
    body_text = page.locator("td.col-body_text").inner_text()
    assert f'<img src=x onerror="{PWN}">' in body_text  # shown, not run
    assert f"<script>{PWN}</script>" in body_text
    assert page.locator("img[src=x], td script").count() == 0
    _not_pwned(page)


def test_failed_deliveries_show_the_partners_error_as_text(served: Served, page: Any) -> None:
    page.goto(served.url + "/store/failed_deliveries")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    errors = page.locator("td.col-last_error").all_inner_texts()
    assert all(PARTNER_ERROR in error for error in errors), errors
    assert page.locator("td.col-partner").all_inner_texts() == ["hook", "hook"]
    _not_pwned(page)


def test_canned_queries_answer(served: Served, page: Any) -> None:
    page.goto(served.url + "/store/articles_today")
    counts = {
        r["source"]: r["n"]
        for r in query(served.db, "select source, count(*) as n from articles group by source")
    }
    shown = dict(
        zip(
            page.locator("td.col-source").all_inner_texts(),
            map(int, page.locator("td.col-articles").all_inner_texts()),
            strict=True,
        )
    )
    assert shown == counts
    page.goto(served.url + "/store/duplicate_clusters")
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1  # the cross-posted story
    page.goto(served.url + "/store/drops_this_week")
    reasons = {r["reason"] for r in query(served.db, "select distinct reason from drops")}
    assert set(page.locator("td.col-reason").all_inner_texts()) == reasons


def _bars(page_or_html: Any, chart: str) -> dict[tuple[str, str], int]:
    bars = page_or_html.locator(f"figure[data-chart={chart}] rect.bar")
    return {
        (bars.nth(i).get_attribute("data-category"), bars.nth(i).get_attribute("data-series")): int(
            bars.nth(i).get_attribute("data-count")
        )
        for i in range(bars.count())
    }


def _check_charts(page: Any, db: Path) -> None:
    """The charts' bars hold the store's numbers, and say them in their titles."""
    per_source = query(db, "select source, count(*) as n from articles group by source")
    articles = _bars(page, "articles")
    for row in per_source:
        assert sum(n for (_, s), n in articles.items() if s == row["source"]) == row["n"]
    deliveries = _bars(page, "deliveries")
    expected = query(db, "select partner, status, count(*) as n from deliveries group by 1, 2")
    assert deliveries == {(r["partner"], r["status"]): r["n"] for r in expected}
    assert deliveries[("hook", "failed")] == 2
    failed = page.locator("figure[data-chart=deliveries] rect[data-series=failed] title")
    assert failed.text_content() == "hook — failed: 2 deliveries"
    drops = _bars(page, "drops")
    expected = query(db, "select reason, source, count(*) as n from drops group by 1, 2")
    assert drops == {(r["reason"], r["source"]): r["n"] for r in expected}
    for key in ("articles", "deliveries", "drops"):
        figure = page.locator(f"figure[data-chart={key}]")
        assert figure.locator("svg title").first.text_content()
        assert figure.locator("svg text").count() > 3  # axis labels, ticks, totals


def test_charts_page(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    page.get_by_role("link", name="Charts").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/-/syndicator/charts")
    assert page.locator("h2").all_inner_texts()[:3] == [
        "Articles stored per source per day",
        "Deliveries per partner by outcome",
        "Pages dropped by reason",
    ]
    _check_charts(page, served.db)
    page.locator("input[name=days]").fill("3")
    page.locator("input[name=days]").press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("figure[data-chart=articles] rect.bar").count() >= 1
    assert "3 days" in page.locator("p.period").inner_text()


def test_the_served_store_cannot_be_written(served: Served) -> None:
    def get(path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(served.url + path, headers={"Host": host} if host else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    before = query(served.db, "select count(*) as n from drops")[0]["n"]
    status, _, body = get("/store.json?sql=" + urllib.request.quote("delete from drops"))
    assert status == 400 and "Statement must be a SELECT" in body
    status, _, body = get("/store.json?sql=" + urllib.request.quote("pragma query_only = 0"))
    assert status == 400
    assert query(served.db, "select count(*) as n from drops")[0]["n"] == before
    status, headers, _ = get("/store/articles")
    csp = {k.lower(): v for k, v in headers.items()}["content-security-policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "default-src 'none'" in csp
    assert get("/", host="rebound.example:80")[0] == 421  # DNS rebinding gets nothing
    assert _sha256(served.db) == served.db_sha256


def test_serve_refuses_other_hosts(store: tuple[Path, Path]) -> None:
    result = syndicator("serve", "--host", "0.0.0.0", config=store[1], timeout=30)
    assert result.returncode == 1
    assert "refusing to serve on 0.0.0.0" in result.stderr


def test_report_html_is_self_contained(store: tuple[Path, Path], page: Any, tmp_path: Path) -> None:
    db, config = store
    digest = _sha256(db)
    out = tmp_path / "report.html"
    result = syndicator("report", "--html", str(out), "--days", "7", config=config, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    html = out.read_text()
    assert "<script" not in html.lower()
    # nothing to fetch: no src/href to another place, no stylesheet, no CSS url()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"<link|<img|<iframe|url\(|@import", html, re.I)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    assert requests == [out.as_uri()]
    _check_charts(page, db)
    assert page.locator("p.period").inner_text().endswith("(UTC, 7 days).")
    assert _sha256(db) == digest  # the report only read the store
