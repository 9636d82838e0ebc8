"""``syndicator preview URL``: one page made into its copy now, nothing stored.

A local source's pages are previewed by the real command line as a publisher
setting the source up would: the copy as partners get it (the story, the
attribution with the source's own date, the disclaimer, the related stories)
and the gate's verdict, in the terminal, as JSON and as an HTML page; the
store is left as it was. A page the gate would hold says why; a page on a
network the source may not reach, and an unknown source, are one line, exit 1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.demo.siteserver import Site
from tests.conftest import sitemap_site, syndicator, write_config
from tests.test_quality_gate import DESCRIPTION, STORY, STUB, page

PAGES = {
    "/2026/12/ferry-timetable-extended/": page("Ferry timetable extended", STORY).replace(
        "2026-12-01T09:00:00+00:00", "2026-11-30T21:40:00-05:00"
    ),
    "/2026/12/council-budget-published/": page(
        "Council budget published", [STUB], description=DESCRIPTION
    ),
}


@pytest.fixture
def courier() -> Iterator[Site]:
    with sitemap_site("courier", PAGES) as site:
        yield site


def test_a_preview_shows_the_copy_and_the_verdict_and_stores_nothing(
    tmp_path: Path, courier: Site
) -> None:
    config = write_config(
        tmp_path / "c.toml", [{"name": "courier", "sitemaps": [f"{courier.url}/sitemap.xml"]}]
    )
    assert syndicator("crawl", config=config).returncode == 0
    store = tmp_path / "store.db"
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    html = tmp_path / "preview.html"
    url = f"{courier.url}/2026/12/ferry-timetable-extended/"
    shown = syndicator("preview", url, "--html", str(html), config=config)
    assert shown.returncode == 0, shown.stderr
    out = " ".join(shown.stdout.split())
    assert out.startswith("Ferry timetable extended")
    assert "verdict would be sent to partners" in out
    assert "source courier" in out and "already stored" in out
    assert " ".join(STORY[0].split()) in out
    # the attribution prints the source's own day (21:40 at -05:00 is the 1st in UTC)
    assert "first published by" in out and "on November 30, 2026" in out
    page_html = html.read_text()
    assert (
        "Would be sent to partners." in page_html
        and "<h1>Ferry timetable extended</h1>" in page_html
    )
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before

    held = syndicator(
        "preview",
        f"{courier.url}/2026/12/council-budget-published/",
        "--source",
        "courier",
        "--html",
        str(html),
        "--json",
        config=config,
    )
    assert held.returncode == 0, held.stderr
    verdict = json.loads(held.stdout)
    assert verdict["hold"].startswith("thin: ") and verdict["dropped"] is None
    assert verdict["article"]["title"] == "Council budget published"
    assert "Would be held, not sent: thin:" in html.read_text()


def test_a_preview_is_refused_what_the_crawl_would_be(tmp_path: Path, courier: Site) -> None:
    # no allow_networks: a loopback page is refused, as the crawl refuses it
    config = tmp_path / "c.toml"
    write_config(config, [{"name": "courier", "sitemaps": [f"{courier.url}/sitemap.xml"]}])
    config.write_text(config.read_text().replace('allow_networks = ["127.0.0.1/32"]\n', ""))
    url = f"{courier.url}/2026/12/ferry-timetable-extended/"
    refused = syndicator("preview", url, "--html", str(tmp_path / "p.html"), config=config)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "allow_networks" in refused.stderr
    unknown = syndicator("preview", url, "--source", "nope", config=config)
    assert unknown.returncode == 1 and "no source 'nope'" in unknown.stderr
    assert not (tmp_path / "store.db").exists()
