"""Hostile worlds for tests/test_fuzz.py: a source site whose feeds, sitemaps,
JSON Feed, pages and images are drawn by hypothesis, and partners whose
answers are drawn too.

A world is plain data (:class:`World`): paths with the bytes they answer,
and the faults each partner shows. :func:`worlds` draws one; the test serves
it on loopback and runs the real ``syndicator run`` against it. Everything
the fuzzer varies is an input an attacker controls: the text of every field,
markup inside it, dates, URLs (long, relative, foreign, on a loopback address
no source may reach), nesting, content types, image bytes, and the status,
headers and body of every partner answer.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.test_receivers import png

# A loopback address no source or partner of a fuzzed config may reach: links,
# images and redirects point at it; the test's canary listens there.
CANARY_HOST = "127.0.0.3"

WP_USER = "editor"
WP_PASSWORD = "Fuzz SECR ET12 3456 abcd WXYZ"  # the form of a WordPress application password

# What attackers put in text: markup that runs, characters XML cannot carry,
# entities that decode into either, and ordinary text around them.
NASTY_TEXT = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example/></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "]]><!--",
    "&#1;&#x0;&#xfffe;",
    "\x00",
    "\x01",
    "\x08",
    "\x1b[31m",
    "\x7f",
    "\ufffe",
    "\uffff",
    "\u202e",
    "\r\n",
    "\t",
    "é",
    "東京",
    "𝕳𝖊𝖑𝖑𝖔",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "%00",
    "Evil\u0001Author",
]
WORDS = [
    "harbour",
    "council",
    "ferry",
    "budget",
    "winter",
    "mayor",
    "bridge",
    "library",
    "school",
    "market",
    "river",
]

ordinary = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
# surrogates cannot travel in UTF-8 bodies; JSON escapes them (below)
characters = st.characters(exclude_categories=["Cs"])
text = st.lists(
    st.one_of(ordinary, st.sampled_from(NASTY_TEXT), st.text(characters, max_size=12)),
    min_size=1,
    max_size=5,
).map(" ".join)

DATES = [
    "2026-11-30T10:00:00Z",
    "2099-01-01T00:00:00Z",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00Z",
    "Mon, 30 Nov 2026 10:00:00 GMT",
    "Tue, 01 Jan 2999 00:00:00 +0000",
    "1e400",
    "-1",
    "not a date",
    "",
    "2026-02-30",
    "2026-11-30T25:61:61Z",
]
dates = st.one_of(st.sampled_from(DATES), st.text(characters, max_size=20))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
# (content type, body) of what an og:image URL answers
IMAGES: list[tuple[str, bytes]] = [
    ("image/png", png(2, 2)),
    ("image/png", b"<script>alert(document.domain)</script>"),
    ("image/svg+xml", SVG),
    ("image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg"),
    ("image/gif", b""),
    ("text/html", b"<html><script>alert(1)</script></html>"),
    ("application/octet-stream", png(1, 1)),
]
IMAGE_NAMES = ["a.png", "evil.html", "x.svg", "noextension", "a.php", "..%2f..%2fevil.html"]


@dataclass
class Answer:
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """What the source site serves (path -> answer; ``{SITE}`` and ``{CANARY}``
    in bodies and headers are replaced by the base URLs), which paths the
    config lists, and the partner faults (for the receivers' FaultPlan)."""

    answers: dict[str, Answer]
    feeds: list[str]
    sitemaps: list[str]
    wordpress_faults: list[dict[str, Any]]
    webhook_faults: list[dict[str, Any]]


def _maybe_escaped(draw: st.DrawFn, value: str) -> str:
    """A value as a careful page writes it, or raw, as a hostile one does."""
    return html.escape(value) if draw(st.booleans()) else value


@st.composite
def links(draw: st.DrawFn, pages: list[str]) -> str:
    """Where a feed entry, sitemap entry or teaser points."""
    return draw(
        st.one_of(
            st.sampled_from([f"{{SITE}}{p}" for p in pages]),
            st.sampled_from(
                [
                    "{CANARY}/linked/",
                    "http://localhost:1/refused/",
                    "javascript:alert(1)",
                    "data:text/html,<script>alert(1)</script>",
                    "{SITE}/" + "a" * 2100,
                    "{SITE}/missing/",
                    "{SITE}/redirect-to-canary/",
                    "relative/page/",
                    "//" + CANARY_HOST + "/schemeless/",
                    "",
                ]
            ),
        )
    )


@st.composite
def article_page(draw: st.DrawFn, pages: list[str], image_path: str) -> bytes:
    title = draw(text)
    paragraphs = draw(st.lists(st.tuples(text, ordinary), min_size=1, max_size=6))
    body = "".join(
        f"<p>{_maybe_escaped(draw, nasty)} {words} " + " ".join(WORDS) + "</p>"
        for nasty, words in paragraphs
    )
    related = "".join(
        "<div class='jp-relatedposts-post'><h4 class='jp-relatedposts-post-title'>"
        f"<a href='{draw(links(pages))}'>{_maybe_escaped(draw, draw(text))}</a></h4>"
        f"<p class='jp-relatedposts-post-excerpt'>{_maybe_escaped(draw, draw(text))}</p></div>"
        for _ in range(draw(st.integers(0, 3)))
    )
    meta = {
        "og:image": draw(st.sampled_from([image_path, "{CANARY}/image.png", "javascript:x"])),
        "article:published_time": draw(dates),
        "article:modified_time": draw(dates),
        "article:tag": draw(text),
    }
    head = "".join(
        f'<meta property="{name}" content="{html.escape(value)}">' for name, value in meta.items()
    )
    author = html.escape(draw(text))
    lang = html.escape(draw(st.sampled_from(["en", "en-US", "x<script>", "", "de\x01"])))
    return (
        f'<html lang="{lang}"><head><title>{_maybe_escaped(draw, title)}</title>{head}'
        f'<meta name="author" content="{author}"></head><body><article>'
        f"<h1>{_maybe_escaped(draw, title)}</h1>{body}</article>"
        f"<div id='jp-relatedposts'>{related}</div></body></html>"
    ).encode("utf-8", "surrogatepass")


def _xml_text(value: str) -> str:
    """Text inside an XML element: escaped, but with whatever characters the fuzzer drew."""
    return html.escape(value, quote=False)


@st.composite
def rss_feed(draw: st.DrawFn, entries: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{_xml_text(draw(text))}</title><link>{_xml_text(link)}</link>"
        f"<author>{_xml_text(draw(text))}</author><pubDate>{_xml_text(draw(dates))}</pubDate>"
        f"<category>{_xml_text(draw(text))}</category></item>"
        for link in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(
        "utf-8", "surrogatepass"
    )


@st.composite
def atom_feed(draw: st.DrawFn, entries: list[str]) -> bytes:
    items = "".join(
        f'<entry><title type="html">{_xml_text(draw(text))}</title>'
        f'<link href="{html.escape(link)}"/><id>{_xml_text(link)}</id>'
        f"<author><name>{_xml_text(draw(text))}</name></author>"
        f"<updated>{_xml_text(draw(dates))}</updated></entry>"
        for link in entries
    )
    return (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{items}</feed>'
    ).encode("utf-8", "surrogatepass")


@st.composite
def json_feed(draw: st.DrawFn, entries: list[str]) -> bytes:
    items: list[Any] = [
        {
            "id": link,
            "url": link,
            "title": draw(text),
            "authors": [{"name": draw(text)}],
            "date_published": draw(dates),
            "tags": [draw(text)],
        }
        for link in entries
    ]
    # wrong types where a careless feed puts them
    items += draw(st.lists(st.sampled_from([None, 1, "x", [], {"url": 5}]), max_size=2))
    feed: Any = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}
    depth = draw(st.sampled_from([0, 0, 50, 100_000]))
    if depth:
        feed["extra"] = json.loads("[" * min(depth, 500) + "]" * min(depth, 500))
        if depth > 500:  # json.dumps itself would recurse: write the nesting by hand
            raw = json.dumps(feed)
            return (raw[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}").encode()
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as a hostile feed can send them
    return json.dumps(feed, ensure_ascii=True).encode()


@st.composite
def sitemap(draw: st.DrawFn, entries: list[str], index: bool) -> bytes:
    tag = "sitemap" if index else "url"
    body = "".join(
        f"<{tag}><loc>{_xml_text(link)}</loc><lastmod>{_xml_text(draw(dates))}</lastmod></{tag}>"
        for link in entries
    )
    root = "sitemapindex" if index else "urlset"
    return (
        f'<?xml version="1.0"?><{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{body}</{root}>"
    ).encode("utf-8", "surrogatepass")


def _auth_echo() -> bytes:
    """A partner's error message that repeats our credentials, as a careless one does."""
    basic = base64.b64encode(f"{WP_USER}:{WP_PASSWORD}".encode()).decode()
    message = f"bad request: Authorization: Basic {basic}; password={WP_PASSWORD}"
    return json.dumps({"code": "rest_invalid", "message": message}).encode()


RETRY_AFTERS = [
    "0",
    "1",
    "-5",
    "1.5",
    "99999999999999",
    "1e308",
    "nan",
    "soon",
    "",
    "Fri, 31 Dec 9999 23:59:59 GMT",
]


@st.composite
def partner_faults(draw: st.DrawFn, path: str) -> list[dict[str, Any]]:
    """Faults for one partner: status, headers and body of its answers."""
    faults = []
    for _ in range(draw(st.integers(0, 3))):
        status = draw(st.sampled_from([301, 302, 400, 401, 404, 409, 410, 429, 500, 503]))
        headers = {}
        if status in (301, 302):
            headers["Location"] = draw(st.sampled_from(["{CANARY}/moved", "/elsewhere", ""]))
        if status in (429, 503) or draw(st.booleans()):
            headers["Retry-After"] = draw(st.sampled_from(RETRY_AFTERS))
        body = draw(st.sampled_from([b"", b"not json", b"{}", _auth_echo()]))
        faults.append(
            {
                "path": path,
                "status": status,
                "headers": headers,
                "body": body,
                "after": draw(st.booleans()) and status >= 500,
                "times": draw(st.integers(1, 3)),
            }
        )
    return faults


@st.composite
def worlds(draw: st.DrawFn) -> World:
    pages = [f"/story-{n}/" for n in range(draw(st.integers(1, 4)))]
    answers: dict[str, Answer] = {}
    for n, page in enumerate(pages):
        ctype, image = draw(st.sampled_from(IMAGES))
        image_path = f"/img/{n}/{draw(st.sampled_from(IMAGE_NAMES))}"
        answers[image_path.split("?")[0]] = Answer(200, ctype, image)
        answers[page] = Answer(
            200,
            draw(
                st.sampled_from(["text/html; charset=utf-8", "text/html", "application/xhtml+xml"])
            ),
            draw(article_page(pages, "{SITE}" + image_path)),
        )
    answers["/redirect-to-canary/"] = Answer(302, None, b"", {"Location": "{CANARY}/redirected/"})
    entries = draw(st.lists(links(pages), min_size=1, max_size=6))
    kinds = draw(
        st.lists(
            st.sampled_from(["rss", "atom", "json", "sitemap", "index"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    feeds, sitemaps = [], []
    for kind in kinds:
        if kind == "rss":
            answers["/feed.rss"] = Answer(200, "application/rss+xml", draw(rss_feed(entries)))
            feeds.append("/feed.rss")
        elif kind == "atom":
            answers["/feed.atom"] = Answer(200, "application/atom+xml", draw(atom_feed(entries)))
            feeds.append("/feed.atom")
        elif kind == "json":
            answers["/feed.json"] = Answer(200, "application/feed+json", draw(json_feed(entries)))
            feeds.append("/feed.json")
        elif kind == "sitemap":
            answers["/sitemap.xml"] = Answer(200, "application/xml", draw(sitemap(entries, False)))
            sitemaps.append("/sitemap.xml")
        else:
            children = ["{SITE}/child-1.xml", "{SITE}/index.xml", "{CANARY}/child.xml"]
            answers["/index.xml"] = Answer(200, "application/xml", draw(sitemap(children, True)))
            answers["/child-1.xml"] = Answer(200, "application/xml", draw(sitemap(entries, False)))
            sitemaps.append("/index.xml")
    return World(
        answers,
        feeds,
        sitemaps,
        draw(partner_faults("/wp/v2/(posts|media)")),
        draw(partner_faults("/hook")),
    )
