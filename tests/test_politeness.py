"""A source's own politeness settings apply, autothrottle on or off.

Scrapy's AutoThrottle floors every host's delay at the crawl-wide
``[crawl].delay``; a source that sets ``delay = 0`` and eight requests at a
time must get them. The local site answers each article slowly and counts how
many of its requests are in flight at once: with the crawl's floor, one at a
time; with the source's own settings, several. A source with a higher delay
than the crawl's keeps it: its requests never overlap.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from syndicator.demo.siteserver import Site
from tests.conftest import real_stories, syndicator, write_config

PAGES = 24
# real stories, one a page: copies of one story would be stored as duplicates
STORIES = real_stories()[:PAGES]


class SlowSite(Site):
    """Answers each article after a pause and records the most in flight at once."""

    def __init__(self, name: str, pages: int) -> None:
        super().__init__(name, [])
        self.pages = pages
        self.lock = threading.Lock()
        self.in_flight = self.most = 0
        self.hook = self._answer

    def _answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{self.url}/news/story-{n}/</loc></url>" for n in range(self.pages)
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if not path.startswith("/news/story-"):
            return None
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.3)
        with self.lock:
            self.in_flight -= 1
        n = path.rstrip("/").rsplit("-", 1)[1]
        html = (
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>{STORIES[int(n)]}</p></article></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


def crawl(tmp_path: Path, delay: float, pages: int = PAGES) -> int:
    site = SlowSite("slow", pages).start()
    try:
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "slow",
                    "sitemaps": [f"{site.url}/sitemap.xml"],
                    "crawl": {"delay": delay, "concurrency_per_domain": 8, "autothrottle": True},
                }
            ],
        )
        # the crawl-wide delay of the defaults, autothrottle on
        text = config.read_text().replace("delay = 0\n", "delay = 0.5\n", 1)
        config.write_text(text.replace("autothrottle = false\n", "autothrottle = true\n", 1))
        result = syndicator("crawl", config=config)
        assert result.returncode == 0, result.stderr
        assert f"{pages} new" in result.stdout
        return site.most
    finally:
        site.stop()


def test_a_sources_own_delay_wins_over_the_crawls(tmp_path: Path) -> None:
    assert crawl(tmp_path, 0.0) >= 4


def test_a_sources_higher_delay_is_kept(tmp_path: Path) -> None:
    assert crawl(tmp_path, 1.0, pages=6) == 1
