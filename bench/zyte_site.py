"""A local site serving the Zyte corpus pages, optionally repeated under distinct URLs.

Copy ``n`` of a page is served under ``/c<n><original path>`` (copy 0 under the
original path), so a crawl of ``copies`` x 181 pages sees that many distinct
URLs. ``/sitemap.xml`` is a sitemap index over sitemaps of at most
:data:`SITEMAP_CHUNK` URLs each; ``/urls.txt`` lists every page URL, one per
line, for tools that take a URL list. The site counts the page requests it
answers, so a benchmark can tell whether a crawl fetched anything.

Used by ``bench.extract``, ``bench.throughput``, ``bench.memory`` and ``bench.peers``.
"""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

from syndicator.demo.siteserver import Site

PAGE_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
XML_HEADERS = {"Content-Type": "application/xml"}
TEXT_HEADERS = {"Content-Type": "text/plain; charset=utf-8"}
SITEMAP_CHUNK = 1000
# Characters left as they are in a served path: RFC 3986 reserved ones and '%', so
# existing escapes survive and only spaces and non-ASCII get percent-encoded.
_SAFE = "/%:@!$&'()*+,;=-._~?"


def path_key(url: str) -> str:
    """Path and query of a URL as a lookup key that survives re-encoding and reordering."""
    parts = urlsplit(url)
    key = unquote(parts.path) or "/"
    if not parts.query:
        return key
    return f"{key}?{urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))}"


def served_paths(urls: dict[str, str]) -> dict[str, str]:
    """Id -> the path (and query) a page is served under: its original one.

    When two pages share a path, the later (by id) is prefixed with ``/<hostname>``.
    """
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(urls):
        parts = urlsplit(urls[key])
        path = quote(parts.path or "/", safe=_SAFE)
        if parts.query:
            path += "?" + quote(parts.query, safe=_SAFE)
        if path_key(path) in taken:
            path = f"/{parts.hostname}{path}"
        taken.add(path_key(path))
        paths[key] = path
    return paths


def copy_path(path: str, copy: int) -> str:
    return path if copy == 0 else f"/c{copy}{path}"


def _urlset(base_url: str, paths: list[str]) -> bytes:
    entries = "".join(f"  <url><loc>{escape(base_url + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    ).encode()


def _index(base_url: str, count: int) -> bytes:
    entries = "".join(
        f"  <sitemap><loc>{base_url}/sitemap-{n}.xml</loc></sitemap>\n" for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    ).encode()


class CorpusSite:
    """The pages on a local :class:`Site`: start, stop, ``with``.

    ``pages`` maps id -> (original URL, HTML). :attr:`paths` maps (id, copy) ->
    served path, :attr:`page_requests` counts page GETs answered."""

    def __init__(self, pages: dict[str, tuple[str, str]], copies: int = 1) -> None:
        originals = served_paths({key: url for key, (url, _) in pages.items()})
        self.paths = {
            (key, copy): copy_path(originals[key], copy)
            for copy in range(copies)
            for key in sorted(originals)
        }
        bodies = {key: html.encode("utf-8") for key, (_, html) in pages.items()}
        self._body_of = {path_key(path): bodies[key] for (key, _), path in self.paths.items()}
        self._listed = list(self.paths.values())
        self.page_requests = 0
        self._lock = threading.Lock()
        self.site = Site(name="zyte", roots=[], hook=self._answer)

    @property
    def url(self) -> str:
        return self.site.url

    @property
    def sitemap_url(self) -> str:
        return f"{self.site.url}/sitemap.xml"

    def page_urls(self) -> list[str]:
        return [self.site.url + path for path in self._listed]

    def _answer(self, request_path: str) -> tuple[int, dict[str, str], bytes] | None:
        key = path_key(request_path)
        chunks = [
            self._listed[i : i + SITEMAP_CHUNK] for i in range(0, len(self._listed), SITEMAP_CHUNK)
        ]
        if key == "/sitemap.xml":
            return 200, dict(XML_HEADERS), _index(self.site.url, len(chunks))
        if key.startswith("/sitemap-") and key.endswith(".xml"):
            n = key[len("/sitemap-") : -len(".xml")]
            if n.isdigit() and int(n) < len(chunks):
                return 200, dict(XML_HEADERS), _urlset(self.site.url, chunks[int(n)])
            return None
        if key == "/urls.txt":
            return 200, dict(TEXT_HEADERS), "\n".join(self.page_urls()).encode() + b"\n"
        body = self._body_of.get(key)
        if body is None:
            return None
        with self._lock:
            self.page_requests += 1
        return 200, dict(PAGE_HEADERS), body

    def start(self) -> CorpusSite:
        self.site.start()
        return self

    def stop(self) -> None:
        self.site.stop()

    def __enter__(self) -> CorpusSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class UrlIndex:
    """Finds the corpus id a stored URL stands for: a served URL (any copy), or an
    original one."""

    def __init__(self, paths: dict[tuple[str, int], str], urls: dict[str, str]):
        self.served = {path_key(path): key for (key, _), path in paths.items()}
        self.original = {
            ((urlsplit(url).hostname or "").lower(), path_key(url)): key
            for key, url in urls.items()
        }
        # For a crawler that strips a query: its path alone, where no other page shares it.
        bare = Counter(path_key(path.split("?", 1)[0]) for path in paths.values())
        self.bare = {
            path_key(path.split("?", 1)[0]): key
            for (key, _), path in paths.items()
            if bare[path_key(path.split("?", 1)[0])] == 1
        }

    def find(self, *candidates: str | None) -> str | None:
        for url in candidates:
            if not url:
                continue
            host = (urlsplit(url).hostname or "").lower()
            key = self.original.get((host, path_key(url))) or self.served.get(path_key(url))
            if key is not None:
                return key
        for url in candidates:
            key = self.bare.get(path_key((url or "").split("?", 1)[0]))
            if url and key is not None:
                return key
        return None
