"""A news site of many generated articles, for tests/test_cluster.py and
bench/cluster.py: a sitemap index of two sitemaps, and article pages whose
bodies are different texts made from the demo sites' words (so neither the
word minimum nor the near-duplicate filter drops them). Every request is
recorded by the site server, so tests can count fetches per page."""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import cache
from pathlib import Path

from syndicator.demo.siteserver import Site

ROOT = Path(__file__).resolve().parent.parent


@cache
def _words() -> list[str]:
    text = (ROOT / "data" / "demo" / "content.py").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"\b[a-z]{3,12}\b", text)))


def article_html(n: int, words: int = 120) -> str:
    rng = random.Random(n)
    vocabulary = _words()
    paragraphs = []
    for _ in range(4):
        text = " ".join(rng.choice(vocabulary) for _ in range(words // 4))
        paragraphs.append(f"<p>{text.capitalize()}.</p>")
    return (
        f'<html lang="en"><head><title>Story {n}</title>'
        f'<meta property="article:published_time" content="2026-11-18T10:00:00+00:00">'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>"
        f"{''.join(paragraphs)}</article><footer>The Test Times</footer></body></html>"
    )


class ArticleSite(Site):
    def __init__(self, pages: int, delay: float = 0.0, host: str = "127.0.0.1") -> None:
        super().__init__("articles", [], delay=delay, host=host)
        self.pages = pages
        self.hook = self._answer

    def article_paths(self) -> list[str]:
        return [f"/a/{n}/" for n in range(self.pages)]

    def article_fetches(self) -> Counter[str]:
        return Counter(r.path for r in list(self.requests) if r.path.startswith("/a/"))

    def _answer(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        xml = {"Content-Type": "application/xml"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/sitemap.xml":
            entries = "".join(
                f"<sitemap><loc>{self.url}/sitemap-{k}.xml</loc></sitemap>" for k in (0, 1)
            )
            index = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            return 200, xml, (index + "</sitemapindex>").encode()
        match = re.fullmatch(r"/sitemap-([01])\.xml", path)
        if match:
            half = int(match.group(1))
            urls = "".join(
                f"<url><loc>{self.url}/a/{n}/</loc><lastmod>2026-11-18</lastmod></url>"
                for n in range(half, self.pages, 2)
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, xml, body.encode()
        match = re.fullmatch(r"/a/(\d+)/", path)
        if match and int(match.group(1)) < self.pages:
            html = article_html(int(match.group(1)))
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        return None
