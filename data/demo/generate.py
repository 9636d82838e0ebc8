#!/usr/bin/env python3
"""Build the bundled demo sites and their ground truth.

    python3 data/demo/generate.py

writes ``data/demo/sites/riverside-herald/``, ``data/demo/sites/northgate-gazette/``
and ``tests/demo_expected.json``. Standard library only; the output is the same
byte for byte on every run (the two site folders are rebuilt from scratch).

The pages imitate WordPress themes with the usual plugins (Jetpack sharing and
related posts, YARPP, Contextual Related Posts, a cookie notice, a newsletter
box...). ``{{SITE}}`` and ``{{SITE:name}}`` are left in the files: the static
server (``syndicator.demo.siteserver``) replaces them with the sites' base URLs.
The editorial text lives in ``content.py``.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import shutil
import struct
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ beside the bundled data

import content as C  # noqa: E402, N812

SITES_DIR = HERE / "sites"
EXPECTED_PATH = HERE.parent.parent / "tests" / "demo_expected.json"
UPLOADS = "/wp-content/uploads/2026/11/"
WP_VERSION = "6.7.1"
NAV = [("Home", "/"), ("News", "/category/news/"), ("Opinion", "/category/opinion/"),
       ("Sport", "/category/sport/"), ("About", "/about/"), ("Contact", "/contact/")]

# Words kept in each plugin's teaser excerpt.
EXCERPT_WORDS = {"jetpack": 28, "yarpp": 30, "crp": 26}
ARCHIVE_EXCERPT_WORDS = 55  # WordPress' default the_excerpt length


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def esc(text: str) -> str:
    """Escape text for an HTML text node."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """Escape text for a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def xml_text(text: str) -> str:
    return html.escape(text, quote=False)


def collapse(text: str) -> str:
    return " ".join(text.split())


def text_of(fragment: str) -> str:
    """Visible text of an inline HTML fragment: tags dropped, entities decoded."""
    return collapse(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def trim_words(text: str, count: int) -> str:
    """Like WordPress' wp_trim_words: the first ``count`` words, then an ellipsis."""
    words = text.split()
    if len(words) <= count:
        return text
    return " ".join(words[:count]) + "…"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("&", "")).strip("-")


def parse_local(stamp: str, offset: str) -> datetime:
    return datetime.fromisoformat(stamp + offset)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def us_date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def uk_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B} {moment.year}"


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


# ---------------------------------------------------------------------------
# binary assets
# ---------------------------------------------------------------------------

def tiny_jpeg(width: int, height: int) -> bytes:
    """A valid baseline greyscale JPEG of a flat mid-grey, built by hand.

    Every 8x8 block has DC difference 0 and an immediate end-of-block, coded
    with one-symbol Huffman tables, so the scan is two zero bits per block.
    """
    def segment(marker: int, payload: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload

    out = b"\xff\xd8"
    out += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += segment(0xDB, b"\x00" + b"\x01" * 64)
    out += segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")  # DC table 0: symbol 0
    out += segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")  # AC table 0: EOB
    out += segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = blocks * 2
    scan = bytearray((bits + 7) // 8)
    padding = len(scan) * 8 - bits
    if padding:
        scan[-1] = (1 << padding) - 1
    return out + bytes(scan) + b"\xff\xd9"


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of Helvetica text and a correct xref table."""
    text_ops = ["BT", "/F1 16 Tf", "72 720 Td", "20 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({safe}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return out


# ---------------------------------------------------------------------------
# article model
# ---------------------------------------------------------------------------

class Article:
    def __init__(self, site: dict, data: dict, path: str, kind: str = "article"):
        self.site = site
        self.data = data
        self.kind = kind
        self.slug = data["slug"]
        self.path = path
        self.url = "{{SITE}}" + path
        self.post_id = data["post_id"]
        self.title = data["title"]
        self.author = data["author"]
        self.section = data["section"]
        self.tags = data["tags"]
        self.published = parse_local(data["published"], site["offset"])
        self.modified = parse_local(data["modified"], site["offset"])
        self.body = data.get("body", [])
        self.related_slugs = data.get("related", [])
        self.related_style = data.get("related_style", "jetpack")
        self.image = "{{SITE}}" + UPLOADS + self.slug + ".jpg"

    # --- ground truth derived from the body blocks ---
    @property
    def paragraphs(self) -> list[str]:
        out = []
        for block in self.body:
            if block[0] in ("p", "quote"):
                out.append(text_of(block[1]))
        return out

    @property
    def first_paragraph(self) -> str:
        return next((text_of(b[1]) for b in self.body if b[0] == "p"), "")

    def teaser_excerpt(self, style: str) -> str:
        return trim_words(self.first_paragraph, EXCERPT_WORDS[style])

    def archive_excerpt(self) -> str:
        words = self.first_paragraph.split()
        if len(words) <= ARCHIVE_EXCERPT_WORDS:
            return self.first_paragraph
        return " ".join(words[:ARCHIVE_EXCERPT_WORDS]) + " […]"

    @property
    def description(self) -> str:
        return trim_words(self.first_paragraph, 30) if self.body else self.title

    def blocks_truth(self) -> list[dict]:
        """The body's structure in order; text blocks point into ``paragraphs``."""
        out = []
        index = 0
        for block in self.body:
            kind = block[0]
            if kind == "p":
                out.append({"type": "p", "paragraph": index})
                index += 1
            elif kind == "h2":
                out.append({"type": "h2", "text": block[1]})
            elif kind == "quote":
                out.append({"type": "blockquote", "paragraph": index, "cite": block[2]})
                index += 1
            elif kind == "ul":
                out.append({"type": "ul", "items": [text_of(i) for i in block[1]]})
            elif kind == "figure":
                out.append({"type": "figure", "src": UPLOADS + block[1], "alt": block[2],
                            "caption": block[3]})
        return out

    def inline_links(self) -> list[dict]:
        out = []
        for block in self.body:
            if block[0] in ("p", "quote"):
                for href, inner in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', block[1], re.S):
                    out.append({"href": href, "text": text_of(inner)})
        return out

    def unsafe_markup(self) -> list[str]:
        found = []
        markup = "".join(b[1] for b in self.body if b[0] in ("p", "raw", "quote"))
        for token in ("<script", "<iframe", "onclick=", "style="):
            if token in markup:
                found.append(token)
        return found


def build_site_articles(site: dict, items: list[dict], path_for) -> dict[str, Article]:
    return {item["slug"]: Article(site, item, path_for(item)) for item in items}


# ---------------------------------------------------------------------------
# shared page pieces
# ---------------------------------------------------------------------------

CSS = {
    "riverside-herald": """
body{margin:0;font:17px/1.6 Georgia,serif;color:#1d1d1d;background:#fff}
.site-header{border-bottom:3px solid #0b3d5c;padding:1rem 2rem}
.site-title{font:700 2.2rem/1 'Playfair Display',Georgia,serif;margin:0}
.site-title a{color:#0b3d5c;text-decoration:none}
.main-navigation ul{list-style:none;display:flex;gap:1.5rem;padding:0}
.site-content{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:3rem;max-width:1140px;margin:auto}
.entry-title{font-size:2.4rem;line-height:1.15}
.entry-content p{margin:0 0 1.2em}
.wp-block-quote{border-left:4px solid #0b3d5c;padding-left:1.2rem;font-style:italic}
.sharedaddy .sd-title{font-size:.8rem;text-transform:uppercase}
.jp-relatedposts-items-visual{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem}
.author-bio{display:flex;gap:1rem;background:#f4f6f8;padding:1rem}
.newsletter-signup{background:#0b3d5c;color:#fff;padding:1.5rem}
.ad-label{font:11px sans-serif;text-transform:uppercase;color:#777}
#cookie-notice{position:fixed;bottom:0;left:0;right:0;background:#222;color:#eee;padding:1rem}
""",
    "northgate-gazette": """
body{margin:0;font:16px/1.65 'Source Sans Pro',Helvetica,Arial,sans-serif;color:#222;background:#f7f5f0}
.grid-container{max-width:1200px;margin:0 auto}
.site-header{background:#7a1f1f;color:#fff}
.main-title a{color:#fff;font-weight:800;font-size:2rem;text-decoration:none}
.main-navigation .menu{display:flex;gap:1.2rem;list-style:none;margin:0;padding:.6rem 0}
.main-navigation a{color:#fff}
.site-content{display:flex;gap:40px}
.content-area{flex:1 1 auto}.is-right-sidebar{flex:0 0 320px}
.inside-article{background:#fff;padding:40px}
.entry-content blockquote{border-left:5px solid #7a1f1f;margin-left:0;padding-left:1.5rem}
.yarpp-related h3,.crp_related h3{font-size:1.1rem}
.crp_related ul{list-style:none;display:flex;gap:12px;padding:0}
.author-bio{border-top:1px solid #ddd;padding-top:1rem}
.newsletter-signup{border:2px solid #7a1f1f;padding:1.2rem;background:#fff}
#cookie-notice{position:fixed;top:0;width:100%;background:#333;color:#fff;z-index:999}
""",
}

ANALYTICS = {
    "riverside-herald": "RH-DEMO-2026",
    "northgate-gazette": "NG-DEMO-2026",
}


def analytics_scripts(site: dict) -> str:
    tag = ANALYTICS[site["name"]]
    return (
        f'<script async src="https://stats.example.net/js/collect.js?id={tag}"></script>\n'
        "<script>\n"
        "window.dataLayer = window.dataLayer || [];\n"
        "function gtag(){dataLayer.push(arguments);}\n"
        "gtag('js', new Date());\n"
        f"gtag('config', '{tag}', {{'anonymize_ip': true}});\n"
        "</script>\n"
    )


def head(site: dict, *, title: str, canonical: str, og_type: str, description: str,
         article: Article | None = None) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en-US">',
        "<head>",
        '<meta charset="UTF-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="profile" href="https://gmpg.org/xfn/11">',
        f"<title>{esc(title)} &#8211; {esc(site['site_name'])}</title>"
        if title else f"<title>{esc(site['site_name'])} &#8211; {esc(site['tagline'])}</title>",
        '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1">',
        f'<meta name="description" content="{attr(description)}">',
        f'<link rel="canonical" href="{canonical}">',
        '<meta property="og:locale" content="en_US">',
        f'<meta property="og:type" content="{og_type}">',
        f'<meta property="og:title" content="{attr(title or site["site_name"])}">',
        f'<meta property="og:description" content="{attr(description)}">',
        f'<meta property="og:url" content="{canonical}">',
        f'<meta property="og:site_name" content="{attr(site["site_name"])}">',
    ]
    if article is not None:
        parts += [
            f'<meta property="og:image" content="{article.image}">',
            '<meta property="og:image:width" content="640">',
            '<meta property="og:image:height" content="360">',
            '<meta property="og:image:type" content="image/jpeg">',
            f'<meta property="article:published_time" content="{article.published.isoformat()}">',
            f'<meta property="article:modified_time" content="{article.modified.isoformat()}">',
            f'<meta property="article:section" content="{attr(article.section)}">',
        ]
        parts += [f'<meta property="article:tag" content="{attr(t)}">' for t in article.tags]
        parts += [
            f'<meta name="author" content="{attr(article.author)}">',
            '<meta name="twitter:card" content="summary_large_image">',
            '<meta name="twitter:label1" content="Written by">',
            f'<meta name="twitter:data1" content="{attr(article.author)}">',
        ]
    feed = ("/feed.xml", "application/rss+xml") if site["name"] == "riverside-herald" \
        else ("/atom.xml", "application/atom+xml")
    parts += [
        f'<link rel="alternate" type="{feed[1]}" title="{attr(site["site_name"])} &raquo; Feed" '
        f'href="{{{{SITE}}}}{feed[0]}">',
    ]
    if article is not None:
        parts.append(f'<link rel="shortlink" href="{{{{SITE}}}}/?p={article.post_id}">')
    parts.append(f'<meta name="generator" content="WordPress {WP_VERSION}">')
    if article is not None:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "headline": article.title,
            "description": description,
            "image": [article.image],
            "datePublished": article.published.isoformat(),
            "dateModified": article.modified.isoformat(),
            "author": {"@type": "Person", "name": article.author,
                       "url": "{{SITE}}/author/" + slugify(article.author) + "/"},
            "publisher": {"@type": "Organization", "name": site["site_name"],
                          "logo": {"@type": "ImageObject",
                                   "url": "{{SITE}}/wp-content/uploads/logo.png"}},
            "articleSection": article.section,
            "keywords": article.tags,
            "inLanguage": "en-US",
        }
        parts.append('<script type="application/ld+json">'
                     + json.dumps(ld, ensure_ascii=False) + "</script>")
    parts.append(f'<style id="theme-inline-css">{CSS[site["name"]]}</style>')
    parts.append(analytics_scripts(site).rstrip("\n"))
    parts.append("</head>")
    return "\n".join(parts) + "\n"


def cookie_banner(site: dict) -> str:
    return (
        '<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden '
        'cn-position-bottom" aria-label="Cookie Notice">'
        '<div class="cookie-notice-container">'
        f'<span id="cn-notice-text" class="cn-text-container">{esc(site["cookie"])}</span>'
        '<span id="cn-notice-buttons" class="cn-buttons-container">'
        '<a href="#" id="cn-accept-cookie" data-cookie-set="accept" class="cn-set-cookie cn-button" '
        'aria-label="Accept">Accept</a>'
        '<a href="#" id="cn-more-info" class="cn-more-info cn-button" aria-label="Settings">'
        'Settings</a></span></div></div>\n'
    )


def nav_menu(active: str = "") -> str:
    items = []
    for i, (label, href) in enumerate(NAV):
        cls = f"menu-item menu-item-type-custom menu-item-{101 + i}"
        if label == active:
            cls += " current-menu-item"
        items.append(f'<li id="menu-item-{101 + i}" class="{cls}"><a href="{{{{SITE}}}}{href}">'
                     f"{label}</a></li>")
    return ('<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">'
            '<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu'
            '</button><ul id="primary-menu" class="menu">' + "".join(items) + "</ul></nav>")


def share_buttons(article: Article) -> str:
    pid = article.post_id
    subject = attr(article.title).replace(" ", "%20")
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>'
        '<div class="sd-content"><ul>'
        f'<li class="share-facebook"><a rel="nofollow noopener noreferrer" '
        f'data-shared="sharing-facebook-{pid}" class="share-facebook sd-button share-icon" '
        f'href="{article.url}?share=facebook" target="_blank" '
        'title="Click to share on Facebook"><span>Facebook</span></a></li>'
        f'<li class="share-x"><a rel="nofollow noopener noreferrer" data-shared="sharing-x-{pid}" '
        f'class="share-x sd-button share-icon" href="{article.url}?share=x" target="_blank" '
        'title="Click to share on X"><span>X</span></a></li>'
        f'<li class="share-email"><a rel="nofollow noopener noreferrer" '
        f'data-shared="sharing-email-{pid}" class="share-email sd-button share-icon" '
        f'href="mailto:?subject={subject}&amp;body={article.url}" target="_blank" '
        'title="Click to email a link to a friend"><span>Email</span></a></li>'
        '<li class="share-end"></li></ul></div></div></div>\n'
    )


def newsletter_box(site: dict) -> str:
    return (
        '<div id="newsletter-signup" class="newsletter-signup">'
        f'<h3 class="newsletter-title">{esc(site["newsletter_title"])}</h3>'
        f'<p class="newsletter-text">{esc(site["newsletter_text"])}</p>'
        '<form class="newsletter-form" action="{{SITE}}/wp-admin/admin-post.php" method="post">'
        '<input type="hidden" name="action" value="newsletter_subscribe">'
        '<label for="nl-email" class="screen-reader-text">Email address</label>'
        '<input type="email" id="nl-email" name="email" placeholder="you@example.com" required>'
        '<button type="submit" class="newsletter-button">Sign up</button></form>'
        '<p class="newsletter-small">We never share your address. Unsubscribe at any time.</p>'
        "</div>\n"
    )


def author_box(site: dict, author: str) -> str:
    slug = slugify(author)
    return (
        '<div class="author-bio">'
        f'<img alt="" src="https://secure.example.com/avatar/{slug}?s=96&amp;d=mm&amp;r=g" '
        'class="avatar avatar-96 photo" height="96" width="96" loading="lazy" decoding="async">'
        '<div class="author-bio-content">'
        f'<h2 class="author-title">About {esc(author)}</h2>'
        f'<p class="author-description">{esc(site["authors"][author])}</p>'
        f'<a class="author-link" href="{{{{SITE}}}}/author/{slug}/" rel="author">'
        f"View all posts by {esc(author)}</a></div></div>\n"
    )


def comment_picks(site: dict, index: int) -> list[tuple[str, str]]:
    pool = site["comments"]
    count = 2 + index % 2
    return [pool[(index * 2 + k) % len(pool)] for k in range(count)]


def comments_area(site: dict, article: Article, index: int) -> str:
    picks = comment_picks(site, index)
    items = []
    for k, (name, text) in enumerate(picks):
        cid = article.post_id * 10 + k + 1
        when = article.published + timedelta(hours=2 + 3 * k, minutes=17 * k)
        stamp = (us_date(when) if site["name"] == "riverside-herald" else uk_date(when))
        stamp += f" at {when:%H:%M}"
        items.append(
            f'<li id="comment-{cid}" class="comment even thread-even depth-1">'
            f'<article id="div-comment-{cid}" class="comment-body">'
            '<footer class="comment-meta"><div class="comment-author vcard">'
            f'<b class="fn">{esc(name)}</b> <span class="says">says:</span></div>'
            f'<div class="comment-metadata"><a href="{article.url}#comment-{cid}">'
            f'<time datetime="{when.isoformat()}">{stamp}</time></a></div></footer>'
            f'<div class="comment-content"><p>{esc(text)}</p></div>'
            f'<div class="reply"><a rel="nofollow" class="comment-reply-link" '
            f'href="{article.url}?replytocom={cid}#respond" data-commentid="{cid}" '
            f'data-postid="{article.post_id}" aria-label="Reply to {attr(name)}">Reply</a></div>'
            "</article></li>"
        )
    count = len(picks)
    return (
        '<div id="comments" class="comments-area">'
        f'<h2 class="comments-title">{count} thoughts on &ldquo;{esc(article.title)}&rdquo;</h2>'
        '<ol class="comment-list">' + "".join(items) + "</ol>"
        '<div id="respond" class="comment-respond">'
        '<h3 id="reply-title" class="comment-reply-title">Leave a Reply '
        '<small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" '
        'style="display:none;">Cancel reply</a></small></h3>'
        '<form action="{{SITE}}/wp-comments-post.php" method="post" id="commentform" '
        'class="comment-form" novalidate>'
        '<p class="comment-notes"><span id="email-notes">Your email address will not be '
        'published.</span> Required fields are marked <span class="required">*</span></p>'
        '<p class="comment-form-comment"><label for="comment">Comment</label> '
        '<textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required>'
        '</textarea></p>'
        '<p class="comment-form-author"><label for="author">Name</label> '
        '<input id="author" name="author" type="text" size="30" maxlength="245" required></p>'
        '<p class="comment-form-email"><label for="email">Email</label> '
        '<input id="email" name="email" type="email" size="30" maxlength="100" required></p>'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" '
        f'value="Post Comment"> <input type="hidden" name="comment_post_ID" value="{article.post_id}" '
        'id="comment_post_ID"></p></form></div></div>\n'
    ), [text for _, text in picks]


def sidebar(site: dict, latest: list[Article], most_read: list[Article], aside_attrs: str) -> str:
    recent = "".join(f'<li><a href="{a.url}">{esc(a.title)}</a></li>' for a in latest[:5])
    popular = "".join(f'<li><a href="{a.url}">{esc(a.title)}</a></li>' for a in most_read[:3])
    ad_id = "rh" if site["name"] == "riverside-herald" else "ng"
    return (
        f"<aside {aside_attrs}>"
        '<section id="search-2" class="widget widget_search"><form role="search" method="get" '
        'class="search-form" action="{{SITE}}/"><label><span class="screen-reader-text">'
        'Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" '
        'value="" name="s"></label><input type="submit" class="search-submit" value="Search">'
        "</form></section>"
        '<section id="recent-posts-2" class="widget widget_recent_entries">'
        f'<h2 class="widget-title">{esc(site["recent_title"])}</h2><ul>{recent}</ul></section>'
        '<section id="most-read-3" class="widget widget_most_read">'
        f'<h2 class="widget-title">{esc(site["most_read_title"])}</h2><ol>{popular}</ol></section>'
        '<section id="custom_html-4" class="widget_text widget widget_custom_html">'
        '<div class="textwidget custom-html-widget"><div class="advertisement">'
        '<span class="ad-label">Advertisement</span>'
        f'<a href="https://ads.example.com/click?c={ad_id}-300x250" rel="sponsored nofollow">'
        f'<img src="https://ads.example.com/creative/{ad_id}-300x250.png" width="300" height="250" '
        'alt="Advertisement"></a></div></div></section>'
        "</aside>\n"
    )


def body_html(article: Article) -> str:
    """The blocks of .entry-content, as the block editor would save them."""
    out = []
    figure_id = article.post_id * 10
    for block in article.body:
        kind = block[0]
        if kind == "p":
            out.append(f"<p>{block[1]}</p>")
        elif kind == "h2":
            out.append(f'<h2 class="wp-block-heading">{esc(block[1])}</h2>')
        elif kind == "quote":
            out.append(f'<blockquote class="wp-block-quote"><p>{block[1]}</p>'
                       f"<cite>{esc(block[2])}</cite></blockquote>")
        elif kind == "ul":
            out.append('<ul class="wp-block-list">'
                       + "".join(f"<li>{item}</li>" for item in block[1]) + "</ul>")
        elif kind == "figure":
            figure_id += 1
            out.append(
                '<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" '
                f'width="640" height="360" src="{UPLOADS}{block[1]}" alt="{attr(block[2])}" '
                f'class="wp-image-{figure_id}"><figcaption class="wp-element-caption">'
                f"{esc(block[3])}</figcaption></figure>")
        elif kind == "raw":
            out.append(block[1])
        else:  # pragma: no cover - content error
            raise ValueError(kind)
    return "\n".join(out) + "\n"


# --- related-post plugins --------------------------------------------------

def related_jetpack(article: Article, targets: list[Article]) -> str:
    posts = []
    for i, t in enumerate(targets):
        title = attr(t.title)
        excerpt = esc(t.teaser_excerpt("jetpack")).replace("…", "&hellip;")
        img = "{{SITE}}" + UPLOADS + t.slug + ".jpg?resize=350%2C200&amp;ssl=1"
        posts.append(
            f'<div class="jp-relatedposts-post jp-relatedposts-post{i} jp-relatedposts-post-thumbs" '
            f'data-post-id="{t.post_id}" data-post-format="false">\n'
            f'<a class="jp-relatedposts-post-a" href="{t.url}" title="{title}" rel="" '
            f'data-origin="{article.post_id}" data-position="{i}"><img loading="lazy" '
            f'class="jp-relatedposts-post-img" src="{img}" width="350" height="200" alt="{title}"></a>\n'
            f'<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="{t.url}" '
            f'title="{title}" rel="" data-position="{i}">{esc(t.title)}</a></h4>\n'
            f'<p class="jp-relatedposts-post-excerpt">{excerpt}</p>'
            f'<p class="jp-relatedposts-post-date">{us_date(t.published)}</p>'
            f'<p class="jp-relatedposts-post-context">In &quot;{esc(t.section)}&quot;</p></div>\n'
        )
    return (
        "<div id='jp-relatedposts' class='jp-relatedposts'>"
        '<h3 class="jp-relatedposts-headline"><em>Related</em></h3>\n'
        '<div class="jp-relatedposts-items jp-relatedposts-items-visual jp-relatedposts-grid">\n'
        + "".join(posts) + "</div></div>\n"
    )


def related_yarpp(article: Article, targets: list[Article]) -> str:
    items = "".join(
        f'<li><a href="{t.url}" rel="bookmark" title="{attr(t.title)}">{esc(t.title)}</a> '
        f'<small>{esc(t.teaser_excerpt("yarpp"))}</small></li>\n'
        for t in targets
    )
    return (
        "<div class='yarpp yarpp-related yarpp-related-website yarpp-template-list'>\n"
        "<!-- YARPP List -->\n"
        "<h3>Related posts:</h3><ol>\n" + items + "</ol>\n</div>\n"
    )


def related_crp(article: Article, targets: list[Article]) -> str:
    items = []
    for t in targets:
        title = attr(t.title)
        excerpt = esc(t.teaser_excerpt("crp")).replace("…", "&hellip;")
        items.append(
            f'<li><a href="{t.url}"     class="crp_link post-{t.post_id}"><figure>'
            f'<img loading="lazy" width="150" height="150" src="{{{{SITE}}}}{UPLOADS}{t.slug}.jpg" '
            f'class="crp_featured crp_thumb crp_thumbnail" alt="{title}" title="{title}" /></figure>'
            f'<span class="crp_title">{esc(t.title)}</span></a>'
            f'<span class="crp_excerpt"> {excerpt}</span></li>'
        )
    return ('<div class="crp_related     crp-rounded-thumbs"><h3>Related Posts:</h3><ul>'
            + "".join(items) + '</ul><div class="crp_clear"></div></div>\n')


RELATED_RENDERERS = {"jetpack": related_jetpack, "yarpp": related_yarpp, "crp": related_crp}


def teaser_truth(targets: list[Article], style: str) -> list[dict]:
    return [{"title": t.title, "path": t.path, "url": t.url,
             "excerpt": t.teaser_excerpt(style)} for t in targets]


# ---------------------------------------------------------------------------
# Riverside Herald theme (an underscores-based theme)
# ---------------------------------------------------------------------------

def riverside_frame(site: dict, head_html: str, body_class: str, main: str, side: str,
                    crumbs: str = "") -> str:
    return (
        head_html
        + f'<body class="{body_class}">\n'
        '<div id="page" class="site">\n'
        '<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>\n'
        '<header id="masthead" class="site-header">\n'
        '<div class="site-branding">'
        f'<p class="site-title"><a href="{{{{SITE}}}}/" rel="home">{esc(site["site_name"])}</a></p>'
        f'<p class="site-description">{esc(site["tagline"])}</p></div>\n'
        + nav_menu() + "\n</header>\n"
        '<div id="content" class="site-content">\n'
        + crumbs
        + '<div id="primary" class="content-area">\n<main id="main" class="site-main">\n'
        + main
        + "</main>\n</div>\n"
        + side
        + "</div>\n"
        '<footer id="colophon" class="site-footer">\n'
        '<nav class="footer-navigation" aria-label="Footer menu"><ul class="footer-menu">'
        '<li><a href="{{SITE}}/about/">About us</a></li>'
        '<li><a href="{{SITE}}/contact/">Contact</a></li>'
        '<li><a href="{{SITE}}/privacy-policy/">Privacy Policy</a></li>'
        '<li><a href="{{SITE}}/advertise/">Advertise with us</a></li></ul></nav>\n'
        f'<div class="site-info">{esc(site["copyright"])} <span class="sep"> | </span>'
        '<a href="https://wordpress.org/">Proudly powered by WordPress</a></div>\n'
        "</footer>\n</div>\n"
        + cookie_banner(site)
        + '<script src="{{SITE}}/wp-content/plugins/jetpack/_inc/build/related-posts/'
          'related-posts.min.js?ver=20240116" id="jetpack_related-posts-js"></script>\n'
        "</body>\n</html>\n"
    )


def riverside_article_page(site, article: Article, index: int, related: list[Article],
                           latest: list[Article], most_read: list[Article], gallery=None):
    pub, mod = article.published, article.modified
    cat_slug = slugify(article.section)
    tag_classes = " ".join("tag-" + slugify(t) for t in article.tags)
    if gallery is None:
        content = body_html(article)
    else:
        rows = "".join(
            f'<div class="tiled-gallery-item tiled-gallery-item-large">'
            f'<a href="{{{{SITE}}}}{UPLOADS}{img}" border="0"><img decoding="async" '
            f'data-attachment-id="{article.post_id * 10 + i}" src="{{{{SITE}}}}{UPLOADS}{img}" '
            f'width="320" height="180" alt="" data-image-title="" data-image-description="">'
            "</a></div>"
            for i, img in enumerate(gallery, start=1)
        )
        content = ('<div class="tiled-gallery type-rectangular tiled-gallery-unresized" '
                   'data-original-width="960" data-carousel-extra=\'{"blog_id":1,"permalink":"'
                   + article.url + '"}\' itemscope itemtype="http://schema.org/ImageGallery">'
                   '<div class="gallery-row" style="width: 960px; height: 360px;" '
                   'data-original-width="960" data-original-height="360">'
                   + rows + "</div></div>\n")
    tags_links = ", ".join(
        f'<a href="{{{{SITE}}}}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in article.tags)
    comments_html, comment_texts = comments_area(site, article, index)
    main = (
        f'<article id="post-{article.post_id}" class="post-{article.post_id} post type-post '
        f'status-publish format-standard has-post-thumbnail hentry category-{cat_slug} {tag_classes}">\n'
        '<header class="entry-header">\n'
        f'<h1 class="entry-title">{esc(article.title)}</h1>\n'
        '<div class="entry-meta"><span class="byline">By <span class="author vcard">'
        f'<a class="url fn n" href="{{{{SITE}}}}/author/{slugify(article.author)}/">'
        f"{esc(article.author)}</a></span></span> "
        f'<span class="posted-on"><a href="{article.url}" rel="bookmark">'
        f'<time class="entry-date published" datetime="{pub.isoformat()}">{us_date(pub)}</time>'
        f'<time class="updated" datetime="{mod.isoformat()}">{us_date(mod)}</time></a></span>'
        "</div>\n</header>\n"
        '<div class="post-thumbnail"><img width="640" height="360" '
        f'src="{article.image}" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" '
        'alt="" decoding="async" fetchpriority="high"></div>\n'
        '<div class="entry-content">\n' + content + "</div><!-- .entry-content -->\n"
        + share_buttons(article)
        + (related_jetpack(article, related) if related else
           "<div id='jp-relatedposts' class='jp-relatedposts' >\n</div>\n")
        + '<footer class="entry-footer">'
        f'<span class="cat-links">Posted in <a href="{{{{SITE}}}}/category/{cat_slug}/" '
        f'rel="category tag">{esc(article.section)}</a></span> '
        f'<span class="tags-links">Tagged {tags_links}</span></footer>\n'
        "</article>\n"
        + author_box(site, article.author)
        + newsletter_box(site)
        + comments_html
    )
    crumbs = (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><span><a href="{{SITE}}/">Home</a></span>'
        f' &raquo; <span><a href="{{{{SITE}}}}/category/{cat_slug}/">{esc(article.section)}</a>'
        f'</span> &raquo; <span class="breadcrumb_last" aria-current="page">{esc(article.title)}'
        "</span></nav>\n"
    )
    page = riverside_frame(
        site,
        head(site, title=article.title, canonical=article.url, og_type="article",
             description=article.description, article=article),
        f"post-template-default single single-post postid-{article.post_id} "
        "single-format-standard wp-embed-responsive",
        main,
        sidebar(site, latest, most_read, 'id="secondary" class="widget-area"'),
        crumbs,
    )
    return page, comment_texts


def riverside_home(site, latest: list[Article]) -> str:
    items = []
    for a in latest:
        items.append(
            f'<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish '
            'format-standard hentry">'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{a.url}" rel="bookmark">'
            f"{esc(a.title)}</a></h2>"
            f'<div class="entry-meta"><time datetime="{a.published.isoformat()}">'
            f"{us_date(a.published)}</time> &middot; {esc(a.author)}</div></header>"
            f'<div class="entry-summary"><p>{esc(a.archive_excerpt() if a.body else a.title)}</p></div>'
            "</article>\n"
        )
    main = ('<header class="page-header"><h1 class="page-title screen-reader-text">Latest news'
            "</h1></header>\n" + "".join(items))
    return riverside_frame(
        site,
        head(site, title="", canonical="{{SITE}}/", og_type="website",
             description=site["tagline"]),
        "home blog wp-embed-responsive hfeed",
        main,
        sidebar(site, latest, latest[2:], 'id="secondary" class="widget-area"'),
    )


# ---------------------------------------------------------------------------
# Northgate Gazette theme (a GeneratePress-style theme)
# ---------------------------------------------------------------------------

def northgate_frame(site: dict, head_html: str, body_class: str, main: str, side: str,
                    crumbs: str = "", active: str = "") -> str:
    return (
        head_html
        + f'<body class="{body_class}" itemtype="https://schema.org/WebPage" itemscope>\n'
        + cookie_banner(site)
        + '<a class="screen-reader-text skip-link" href="#content" title="Skip to content">'
          "Skip to content</a>\n"
        '<header class="site-header grid-container" id="masthead" aria-label="Site">'
        '<div class="inside-header">'
        '<div class="site-branding"><p class="main-title" itemprop="headline">'
        f'<a href="{{{{SITE}}}}/" rel="home">{esc(site["site_name"])}</a></p>'
        f'<p class="site-description" itemprop="description">{esc(site["tagline"])}</p></div>'
        + nav_menu(active) + "</div></header>\n"
        '<div class="site grid-container container hfeed" id="page">\n'
        '<div class="site-content" id="content">\n'
        '<div class="content-area" id="primary">\n<main class="site-main" id="main">\n'
        + crumbs + main
        + "</main>\n</div>\n"
        + side
        + "</div>\n</div>\n"
        '<div class="before-footer grid-container">\n' + newsletter_box(site) + "</div>\n"
        '<div class="site-footer">\n'
        '<div id="footer-widgets" class="site footer-widgets"><div class="footer-widgets-container">'
        '<section class="widget widget_nav_menu"><ul class="menu">'
        '<li><a href="{{SITE}}/about/">About the Gazette</a></li>'
        '<li><a href="{{SITE}}/contact/">Contact the newsroom</a></li>'
        '<li><a href="{{SITE}}/privacy-policy/">Privacy</a></li>'
        '<li><a href="{{SITE}}/complaints/">Corrections &amp; complaints</a></li>'
        "</ul></section></div></div>\n"
        '<footer class="site-info" aria-label="Site" itemtype="https://schema.org/WPFooter" itemscope>'
        f'<div class="copyright-bar">{esc(site["copyright"])}</div></footer>\n'
        "</div>\n"
        '<script id="generate-menu-js" src="{{SITE}}/wp-content/themes/generatepress/assets/js/'
        'menu.min.js?ver=3.5.1"></script>\n'
        "</body>\n</html>\n"
    )


def northgate_article_page(site, article: Article, index: int, related: list[Article],
                           latest: list[Article], most_read: list[Article]):
    pub, mod = article.published, article.modified
    cat_slug = slugify(article.section)
    tag_classes = " ".join("tag-" + slugify(t) for t in article.tags)
    comments_html, comment_texts = comments_area(site, article, index)
    related_html = RELATED_RENDERERS[article.related_style](article, related)
    tags_links = " ".join(
        f'<a href="{{{{SITE}}}}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in article.tags)
    main = (
        f'<article id="post-{article.post_id}" class="post-{article.post_id} post type-post '
        f'status-publish format-standard has-post-thumbnail hentry category-{cat_slug} '
        f'{tag_classes}" itemtype="https://schema.org/CreativeWork" itemscope>\n'
        '<div class="inside-article">\n'
        '<div class="featured-image page-header-image-single grid-container grid-parent">'
        f'<img width="640" height="360" src="{article.image}" class="attachment-full size-full '
        'wp-post-image" alt="" itemprop="image" decoding="async"></div>\n'
        '<header class="entry-header">\n'
        f'<h1 class="entry-title" itemprop="headline">{esc(article.title)}</h1>\n'
        '<div class="entry-meta"><span class="posted-on">'
        f'<time class="updated" datetime="{mod.isoformat()}" itemprop="dateModified">'
        f"{uk_date(mod)}</time>"
        f'<time class="entry-date published" datetime="{pub.isoformat()}" itemprop="datePublished">'
        f"{uk_date(pub)}</time></span> "
        '<span class="byline">by <span class="author vcard" itemprop="author" '
        'itemtype="https://schema.org/Person" itemscope>'
        f'<a class="url fn n" href="{{{{SITE}}}}/author/{slugify(article.author)}/" '
        f'title="View all posts by {attr(article.author)}" rel="author" itemprop="url">'
        f'<span class="author-name" itemprop="name">{esc(article.author)}</span></a></span></span>'
        "</div>\n</header>\n"
        '<div class="entry-content" itemprop="text">\n'
        + body_html(article)
        + share_buttons(article)
        + related_html
        + "</div>\n"
        '<footer class="entry-meta" aria-label="Entry meta">'
        f'<span class="cat-links"><span class="screen-reader-text">Categories </span>'
        f'<a href="{{{{SITE}}}}/category/{cat_slug}/" rel="category tag">{esc(article.section)}</a>'
        f'</span> <span class="tags-links"><span class="screen-reader-text">Tags </span>{tags_links}'
        "</span></footer>\n"
        "</div>\n</article>\n"
        + author_box(site, article.author)
        + comments_html
    )
    crumbs = (
        '<nav class="yoast-breadcrumbs" aria-label="Breadcrumb"><span><span>'
        '<a href="{{SITE}}/">Home</a>'
        f'</span> » <span><a href="{{{{SITE}}}}/category/{cat_slug}/">{esc(article.section)}</a>'
        f'</span> » <span class="breadcrumb_last" aria-current="page">{esc(article.title)}</span>'
        "</span></nav>\n"
    )
    page = northgate_frame(
        site,
        head(site, title=article.title, canonical=article.url, og_type="article",
             description=article.description, article=article),
        f"post-template-default single single-post postid-{article.post_id} "
        "single-format-standard wp-embed-responsive right-sidebar separate-containers",
        main,
        sidebar(site, latest, most_read,
                'id="right-sidebar" class="widget-area is-right-sidebar"'),
        crumbs,
        active=article.section,
    )
    return page, comment_texts


def northgate_listing(articles: list[Article]) -> str:
    out = []
    for a in articles:
        first_tag = a.tags[0]
        out.append(
            f'<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish '
            f'format-standard hentry category-{slugify(a.section)}">'
            '<div class="inside-article"><header class="entry-header">'
            f'<h2 class="entry-title"><a href="{a.url}" rel="bookmark">{esc(a.title)}</a></h2>'
            f'<div class="entry-meta"><time class="entry-date published" '
            f'datetime="{a.published.isoformat()}">{uk_date(a.published)}</time> by '
            f"{esc(a.author)}</div></header>"
            f'<div class="entry-summary"><p>{esc(a.archive_excerpt())}</p></div>'
            '<footer class="entry-meta"><span class="tags-links">'
            f'<a href="{{{{SITE}}}}/tag/{slugify(first_tag)}/" rel="tag">{esc(first_tag)}</a></span> '
            f'<a href="{a.path}" class="read-more">Read more<span class="screen-reader-text"> '
            f"about {esc(a.title)}</span></a></footer>"
            "</div></article>\n"
        )
    return "".join(out)


def northgate_archive(site, *, title: str, canonical_path: str, body_class: str,
                      articles: list[Article], intro_html: str, extra_html: str,
                      pagination: str, latest, most_read, active: str = "") -> str:
    main = (
        '<header class="page-header" aria-label="Page">'
        f'<h1 class="page-title">{esc(title)}</h1>'
        f'<div class="taxonomy-description">{intro_html}</div></header>\n'
        + northgate_listing(articles)
        + pagination
        + extra_html
    )
    return northgate_frame(
        site,
        head(site, title=title, canonical="{{SITE}}" + canonical_path, og_type="website",
             description=f"{title} from the {site['site_name']}"),
        body_class,
        main,
        sidebar(site, latest, most_read,
                'id="right-sidebar" class="widget-area is-right-sidebar"'),
        active=active,
    )


# ---------------------------------------------------------------------------
# feeds and sitemaps
# ---------------------------------------------------------------------------

def feed_summary(article: Article) -> str:
    """WordPress feed excerpt: the first 40 words, then " [&#8230;]" (HTML)."""
    words = article.first_paragraph.split()
    text = esc(" ".join(words[:40]))
    return text + " [&#8230;]" if len(words) > 40 else text


def rfc822(moment: datetime) -> str:
    return email.utils.format_datetime(moment)


def riverside_feed(site, articles: list[Article], tracking: dict[str, str]) -> tuple[str, list]:
    extras = C.RIVERSIDE_FEED_EXTRAS
    entries = []  # (moment, xml, truth)
    for a in articles:
        link = a.url + tracking.get(a.slug, "")
        cats = "".join(f"\t\t<category><![CDATA[{c}]]></category>\n" for c in [a.section, *a.tags])
        xml = (
            "\t<item>\n"
            f"\t\t<title>{xml_text(a.title)}</title>\n"
            f"\t\t<link>{xml_text(link)}</link>\n"
            f"\t\t<comments>{a.url}#respond</comments>\n"
            f"\t\t<dc:creator><![CDATA[{a.author}]]></dc:creator>\n"
            f"\t\t<pubDate>{rfc822(a.published)}</pubDate>\n"
            + cats
            + f'\t\t<guid isPermaLink="false">{{{{SITE}}}}/?p={a.post_id}</guid>\n'
            f"\t\t<description><![CDATA[{feed_summary(a)}]]></description>\n"
            f"\t\t<wfw:commentRss>{a.url}feed/</wfw:commentRss>\n"
            "\t</item>\n"
        )
        entries.append((a.published, xml, {
            "title": a.title, "link": link, "path": a.path, "kind": "article",
            "published_at": utc_iso(a.published),
        }))
    missing = extras["missing_link"]
    moment = parse_local(missing["published"], site["offset"])
    entries.append((moment, (
        "\t<item>\n"
        f"\t\t<title>{xml_text(missing['title'])}</title>\n"
        f"\t\t<dc:creator><![CDATA[{missing['author']}]]></dc:creator>\n"
        f"\t\t<pubDate>{rfc822(moment)}</pubDate>\n"
        f"\t\t<category><![CDATA[{missing['category']}]]></category>\n"
        f"\t\t<description><![CDATA[{missing['description']}]]></description>\n"
        "\t</item>\n"
    ), {"title": missing["title"], "link": None, "path": None, "kind": "missing_link",
        "published_at": utc_iso(moment)}))
    dead = extras["dead_link"]
    moment = parse_local(dead["published"], site["offset"])
    dead_path = f"/2026/11/{dead['slug']}/"
    entries.append((moment, (
        "\t<item>\n"
        f"\t\t<title>{xml_text(dead['title'])}</title>\n"
        f"\t\t<link>{{{{SITE}}}}{dead_path}</link>\n"
        f"\t\t<dc:creator><![CDATA[{dead['author']}]]></dc:creator>\n"
        f"\t\t<pubDate>{rfc822(moment)}</pubDate>\n"
        f"\t\t<category><![CDATA[{dead['category']}]]></category>\n"
        f'\t\t<guid isPermaLink="false">{{{{SITE}}}}/?p=4410</guid>\n'
        f"\t\t<description><![CDATA[{dead['description']}]]></description>\n"
        "\t</item>\n"
    ), {"title": dead["title"], "link": "{{SITE}}" + dead_path, "path": dead_path,
        "kind": "404", "published_at": utc_iso(moment)}))
    entries.sort(key=lambda e: e[0], reverse=True)
    newest = entries[0][0]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        "\t>\n\n<channel>\n"
        f"\t<title>{xml_text(site['site_name'])}</title>\n"
        '\t<atom:link href="{{SITE}}/feed.xml" rel="self" type="application/rss+xml" />\n'
        "\t<link>{{SITE}}</link>\n"
        f"\t<description>{xml_text(site['tagline'])}</description>\n"
        f"\t<lastBuildDate>{rfc822(newest.astimezone(UTC))}</lastBuildDate>\n"
        "\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>https://wordpress.org/?v={WP_VERSION}</generator>\n"
        + "".join(e[1] for e in entries)
        + "</channel>\n</rss>\n"
    )
    return xml, [e[2] for e in entries]


def northgate_atom(site, articles: list[Article], tracking: dict[str, str]) -> tuple[str, list]:
    ordered = sorted(articles, key=lambda a: a.published, reverse=True)
    entries, truth = [], []
    for a in ordered:
        link = a.url + tracking.get(a.slug, "")
        cats = "".join(f'\t\t<category scheme="{{{{SITE}}}}" term="{attr(c)}" />\n'
                       for c in [a.section, *a.tags])
        summary = feed_summary(a)
        entries.append(
            "\t<entry>\n"
            f"\t\t<author>\n\t\t\t<name>{xml_text(a.author)}</name>\n\t\t</author>\n"
            f"\t\t<title type=\"html\"><![CDATA[{a.title}]]></title>\n"
            f'\t\t<link rel="alternate" type="text/html" href="{xml_text(link)}" />\n'
            f"\t\t<id>{{{{SITE}}}}/?p={a.post_id}</id>\n"
            f"\t\t<updated>{a.modified.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</updated>\n"
            f"\t\t<published>{a.published.isoformat()}</published>\n"
            + cats
            + f'\t\t<summary type="html"><![CDATA[{summary}]]></summary>\n'
            f'\t\t<link rel="replies" type="text/html" href="{a.url}#comments" thr:count="2" />\n'
            "\t</entry>\n"
        )
        truth.append({"title": a.title, "link": link, "path": a.path, "kind": a.kind,
                      "published_at": utc_iso(a.published)})
    updated = max(a.modified for a in articles).astimezone(UTC)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><feed\n'
        '  xmlns="http://www.w3.org/2005/Atom"\n'
        '  xmlns:thr="http://purl.org/syndication/thread/1.0"\n'
        '  xml:lang="en-US"\n  >\n'
        f'\t<title type="text">{xml_text(site["site_name"])}</title>\n'
        f'\t<subtitle type="text">{xml_text(site["tagline"])}</subtitle>\n\n'
        f"\t<updated>{updated:%Y-%m-%dT%H:%M:%SZ}</updated>\n\n"
        '\t<link rel="alternate" type="text/html" href="{{SITE}}/" />\n'
        "\t<id>{{SITE}}/atom.xml</id>\n"
        '\t<link rel="self" type="application/atom+xml" href="{{SITE}}/atom.xml" />\n\n'
        f'\t<generator uri="https://wordpress.org/" version="{WP_VERSION}">WordPress</generator>\n'
        + "".join(entries)
        + "</feed>\n"
    )
    return xml, truth


def w3c(moment: datetime) -> str:
    return moment.isoformat()


def riverside_sitemaps(site, articles: list[Article], gallery: Article, pdf_path: str):
    latest_mod = max(a.modified for a in articles)
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?xml-stylesheet type="text/xsl" href="{{SITE}}/sitemap.xsl"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"\t<sitemap>\n\t\t<loc>{{{{SITE}}}}/sitemap-news.xml</loc>\n"
        f"\t\t<lastmod>{w3c(latest_mod)}</lastmod>\n\t</sitemap>\n"
        f"\t<sitemap>\n\t\t<loc>{{{{SITE}}}}/sitemap-posts.xml</loc>\n"
        f"\t\t<lastmod>{w3c(latest_mod)}</lastmod>\n\t</sitemap>\n"
        "</sitemapindex>\n"
    )
    ordered = sorted(articles, key=lambda a: a.published, reverse=True)
    news_urls = "".join(
        "\t<url>\n"
        f"\t\t<loc>{a.url}</loc>\n"
        "\t\t<news:news>\n"
        "\t\t\t<news:publication>\n"
        f"\t\t\t\t<news:name>{xml_text(site['site_name'])}</news:name>\n"
        "\t\t\t\t<news:language>en</news:language>\n"
        "\t\t\t</news:publication>\n"
        f"\t\t\t<news:publication_date>{w3c(a.published)}</news:publication_date>\n"
        f"\t\t\t<news:title>{xml_text(a.title)}</news:title>\n"
        f"\t\t\t<news:keywords>{xml_text(', '.join(a.tags))}</news:keywords>\n"
        "\t\t</news:news>\n"
        "\t</url>\n"
        for a in ordered
    )
    news = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + news_urls + "</urlset>\n"
    )
    posts_entries = [(a.url, a.modified) for a in ordered]
    posts_entries.insert(len(posts_entries) - 1, (gallery.url, gallery.modified))
    posts_entries.append(("{{SITE}}" + pdf_path,
                          parse_local("2026-11-18T08:50:00", site["offset"])))
    posts = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
        + "".join(
            f"\t<url>\n\t\t<loc>{loc}</loc>\n\t\t<lastmod>{w3c(mod)}</lastmod>\n"
            "\t\t<changefreq>weekly</changefreq>\n\t\t<priority>0.6</priority>\n\t</url>\n"
            for loc, mod in posts_entries
        )
        + "</urlset>\n"
    )
    truth = {
        "index": "/sitemap.xml",
        "children": ["/sitemap-news.xml", "/sitemap-posts.xml"],
        "news_paths": [a.path for a in ordered],
        "posts_paths": [loc.replace("{{SITE}}", "") for loc, _ in posts_entries],
    }
    return index, news, posts, truth


# ---------------------------------------------------------------------------
# the two sites
# ---------------------------------------------------------------------------

def article_truth(article: Article, related: list[Article], comments: list[str]) -> dict:
    return {
        "title": article.title,
        "author": article.author,
        "published_at": utc_iso(article.published),
        "modified_at": utc_iso(article.modified),
        "published_local": article.published.isoformat(),
        "modified_local": article.modified.isoformat(),
        "section": article.section,
        "tags": article.tags,
        "post_id": article.post_id,
        "canonical_url": article.url,
        "og_image": article.image,
        "paragraphs": article.paragraphs,
        "headings": [b[1] for b in article.body if b[0] == "h2"],
        "blocks": article.blocks_truth(),
        "word_count": sum(len(p.split()) for p in article.paragraphs),
        "inline_links": article.inline_links(),
        "unsafe_markup": article.unsafe_markup(),
        "teasers": teaser_truth(related, article.related_style),
        "related_style": article.related_style,
        "comments": comments,
        "author_bio": article.site["authors"][article.author],
        "wire_story": bool(article.data.get("wire")),
    }


def build_riverside(root: Path) -> dict:
    site = C.RIVERSIDE
    arts = build_site_articles(site, C.RIVERSIDE_ARTICLES,
                               lambda d: f"/2026/11/{d['slug']}/")
    gallery = Article(site, C.RIVERSIDE_GALLERY, f"/2026/11/{C.RIVERSIDE_GALLERY['slug']}/",
                      kind="empty_body")
    everything = dict(arts)
    everything[gallery.slug] = gallery
    latest = sorted(arts.values(), key=lambda a: a.published, reverse=True)
    most_read = [arts[s] for s in ("hartleys-bakery-mill-lane-to-close",
                                   "council-approves-ferry-street-bridge-repairs",
                                   "winter-shelter-opens-early")]
    truth_articles, pages = {}, {}
    for index, a in enumerate(sorted(arts.values(), key=lambda a: a.published)):
        related = [everything[s] for s in a.related_slugs]
        page, comments = riverside_article_page(site, a, index, related, latest, most_read)
        write(root / a.path.strip("/") / "index.html", page)
        truth_articles[a.path] = article_truth(a, related, comments)
    related = [everything[s] for s in gallery.related_slugs]
    page, comments = riverside_article_page(site, gallery, 99, related, latest, most_read,
                                            gallery=C.RIVERSIDE_GALLERY["gallery"])
    write(root / gallery.path.strip("/") / "index.html", page)
    gallery_truth = article_truth(gallery, related, comments)
    gallery_truth["kind"] = "empty_body"
    pages[gallery.path] = gallery_truth

    home_list = sorted([*list(arts.values()), gallery], key=lambda a: a.published, reverse=True)
    write(root / "index.html", riverside_home(site, home_list))

    tracking = {
        "route-9-evening-bus-pilot-extended":
            "?utm_source=rss&utm_medium=feed&utm_campaign=route-9-evening-bus-pilot-extended",
        "winter-shelter-opens-early":
            "?utm_source=rss&utm_medium=feed&utm_campaign=winter-shelter-opens-early",
        "flood-defence-fund-awards-grants":
            "?utm_source=rss&utm_medium=rss&utm_campaign=flood-defence-fund-awards-grants",
        "riverside-rowing-club-wins-regional-title": "#comments",
    }
    feed_xml, feed_items = riverside_feed(site, list(arts.values()), tracking)
    write(root / "feed.xml", feed_xml)
    write(root / "feed.xml.headers", "Content-Type: application/rss+xml; charset=UTF-8\n")

    pdf_path = UPLOADS + "budget-summary.pdf"
    write(root / pdf_path.strip("/"), tiny_pdf([
        "Alder Falls School District",
        "Proposed Budget 2027-28: Summary",
        "Projected shortfall: $2.7 million",
        "Proposed: 14 teaching positions cut; Willow Creek Elementary closed",
        "Public hearings: November 17 and December 3. Board vote: December 17.",
    ]))
    index_xml, news_xml, posts_xml, sitemap_truth = riverside_sitemaps(
        site, list(arts.values()), gallery, pdf_path)
    write(root / "sitemap.xml", index_xml)
    write(root / "sitemap-news.xml", news_xml)
    write(root / "sitemap-posts.xml", posts_xml)
    write(root / "robots.txt",
          "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
          "Sitemap: {{SITE}}/sitemap.xml\n")

    images = {a.slug + ".jpg" for a in everything.values()}
    images |= {b[1] for a in arts.values() for b in a.body if b[0] == "figure"}
    images |= set(C.RIVERSIDE_GALLERY["gallery"])
    for name in sorted(images):
        write(root / UPLOADS.strip("/") / name, tiny_jpeg(640, 360))

    wire = next(a for a in arts.values() if a.data.get("wire"))
    dead_path = f"/2026/11/{C.RIVERSIDE_FEED_EXTRAS['dead_link']['slug']}/"
    return {
        "site_name": site["site_name"],
        "utc_offset": site["offset"],
        "home": "/",
        "articles": truth_articles,
        "pages": pages,
        "feed": {
            "path": "/feed.xml",
            "format": "rss",
            "items": feed_items,
            "article_paths": [i["path"] for i in feed_items if i["kind"] == "article"],
        },
        "sitemap": sitemap_truth,
        "robots": {"path": "/robots.txt", "disallow": ["/wp-admin/"],
                   "allow": ["/wp-admin/admin-ajax.php"], "sitemaps": ["/sitemap.xml"]},
        "broken": {
            "404": [dead_path],
            "missing_link": [C.RIVERSIDE_FEED_EXTRAS["missing_link"]["title"]],
            "empty_body": [gallery.path],
            "non_html": [pdf_path],
            "too_short": [],
            "robots_disallowed": [],
        },
        "cross_posted": None,  # filled in by main()
        "_wire_path": wire.path,
    }


def build_northgate(root: Path) -> dict:
    site = C.NORTHGATE
    def path_for(d):
        return f"/{d['section_slug']}/{d['slug']}/"
    arts = build_site_articles(site, C.NORTHGATE_ARTICLES, path_for)
    brief = Article(site, C.NORTHGATE_BRIEF, path_for(C.NORTHGATE_BRIEF), kind="too_short")
    private = Article(site, C.NORTHGATE_PRIVATE, path_for(C.NORTHGATE_PRIVATE),
                      kind="robots_disallowed")
    everything = dict(arts)
    everything[brief.slug] = brief
    published = [*list(arts.values()), brief]
    latest = sorted(published, key=lambda a: a.published, reverse=True)
    most_read = [arts[s] for s in ("quayside-green-car-park-is-the-wrong-answer",
                                   "holloway-wins-harbour-ward-by-election",
                                   "market-hall-reopens-after-restoration")]
    truth_articles, pages = {}, {}
    ordered = sorted([*published, private], key=lambda a: a.published)
    for index, a in enumerate(ordered):
        related = [everything[s] for s in a.related_slugs]
        page, comments = northgate_article_page(site, a, index, related, latest, most_read)
        write(root / a.path.strip("/") / "index.html", page)
        truth = article_truth(a, related, comments)
        if a.kind == "article":
            truth_articles[a.path] = truth
        else:
            truth["kind"] = a.kind
            pages[a.path] = truth
    truth_articles = {p: truth_articles[p] for p in sorted(
        truth_articles, key=lambda p: truth_articles[p]["published_at"])}

    # --- home page ---
    news_items = [a for a in latest if a.data["section_slug"] == "news"]
    opinion_items = [a for a in latest if a.data["section_slug"] == "opinion"]
    home_main = (
        '<section class="front-page-block top-stories"><h2 class="block-title">Top stories</h2>\n'
        + northgate_listing(news_items[:4])
        + '</section>\n<section class="front-page-block opinion"><h2 class="block-title">Opinion'
          "</h2>\n"
        + northgate_listing(opinion_items)
        + "</section>\n"
    )
    write(root / "index.html", northgate_frame(
        site,
        head(site, title="", canonical="{{SITE}}/", og_type="website",
             description=site["tagline"]),
        "home blog wp-embed-responsive right-sidebar",
        home_main,
        sidebar(site, latest, most_read,
                'id="right-sidebar" class="widget-area is-right-sidebar"'),
        active="Home",
    ))

    # --- section pages ---
    page1 = [a for a in news_items if a.published >= parse_local("2026-11-16T00:00:00", site["offset"])]
    page2 = [a for a in news_items if a not in page1]
    topics = ["Elections", "Quayside Green", "Planning"]
    topic_links = "".join(f'<li><a href="{{{{SITE}}}}/tag/{slugify(t)}/">{esc(t)}</a></li>'
                          for t in topics)
    extra_news = (
        '<section class="category-extras">'
        '<div class="editors-picks"><h2 class="block-title">Editor’s picks</h2><ul>'
        f'<li><a href="/private/draft-budget-leak/">{esc(private.title)}</a></li>'
        f'<li><a href="{{{{SITE}}}}/about/">How the Gazette reports on the council</a></li></ul></div>'
        f'<div class="popular-topics"><h2 class="block-title">Popular topics</h2><ul>{topic_links}'
        "</ul></div>"
        '<div class="partner-links"><h2 class="block-title">From our partners</h2><ul>'
        '<li><a href="{{SITE:riverside-herald}}/" rel="noopener">The Riverside Herald: news from '
        "Alder Falls</a></li></ul></div></section>\n"
    )
    intro = ('<p>Local news from across Northgate and the harbour. '
             '<a href="/about/">About the Gazette</a>.</p>')
    pagination1 = (
        '<nav id="nav-below" class="paging-navigation" aria-label="Archive Page">'
        '<div class="nav-links"><span aria-current="page" class="page-numbers current">1</span>'
        '<a class="page-numbers" href="{{SITE}}/category/news/page/2/">2</a>'
        '<a class="next page-numbers" href="{{SITE}}/category/news/page/2/">Next &rarr;</a>'
        "</div></nav>\n"
    )
    pagination2 = (
        '<nav id="nav-below" class="paging-navigation" aria-label="Archive Page">'
        '<div class="nav-links"><a class="prev page-numbers" href="{{SITE}}/category/news/">'
        '&larr; Previous</a><a class="page-numbers" href="{{SITE}}/category/news/">1</a>'
        '<span aria-current="page" class="page-numbers current">2</span></div></nav>\n'
    )
    archive_common = dict(latest=latest, most_read=most_read)
    write(root / "category/news/index.html", northgate_archive(
        site, title="News", canonical_path="/category/news/",
        body_class="archive category category-news wp-embed-responsive right-sidebar",
        articles=page1, intro_html=intro, extra_html=extra_news, pagination=pagination1,
        active="News", **archive_common))
    write(root / "category/news/page/2/index.html", northgate_archive(
        site, title="News", canonical_path="/category/news/page/2/",
        body_class="archive paged category category-news paged-2 right-sidebar",
        articles=page2, intro_html=intro, extra_html="", pagination=pagination2,
        active="News", **archive_common))
    opinion_intro = ("<p>Columns and comment from Northgate residents. Opinions are the "
                     'writers’ own. <a href="/about/">About the Gazette</a>.</p>')
    opinion_extra = (
        f'<div class="popular-topics"><h2 class="block-title">Popular topics</h2><ul>{topic_links}'
        "</ul></div>\n")
    write(root / "category/opinion/index.html", northgate_archive(
        site, title="Opinion", canonical_path="/category/opinion/",
        body_class="archive category category-opinion wp-embed-responsive right-sidebar",
        articles=opinion_items, intro_html=opinion_intro, extra_html=opinion_extra,
        pagination="", active="Opinion", **archive_common))
    tag_pages = {}
    for tag in C.NORTHGATE_TAG_PAGES:
        tagged = [a for a in latest if tag in a.tags]
        tag_path = f"/tag/{slugify(tag)}/"
        tag_pages[tag_path] = [a.path for a in tagged]
        write(root / tag_path.strip("/") / "index.html", northgate_archive(
            site, title=f"Tag: {tag}", canonical_path=tag_path,
            body_class=f"archive tag tag-{slugify(tag)} right-sidebar",
            articles=tagged, intro_html="", extra_html="", pagination="", **archive_common))
    about_main = (
        '<article id="post-12" class="post-12 page type-page status-publish hentry">'
        '<div class="inside-article"><header class="entry-header">'
        '<h1 class="entry-title">About the Gazette</h1></header><div class="entry-content">'
        + "".join(f"<p>{esc(p)}</p>" for p in C.NORTHGATE_ABOUT)
        + "</div></div></article>\n"
    )
    write(root / "about/index.html", northgate_frame(
        site,
        head(site, title="About the Gazette", canonical="{{SITE}}/about/", og_type="website",
             description="About the Northgate Gazette"),
        "page-template-default page page-id-12 right-sidebar",
        about_main,
        sidebar(site, latest, most_read, 'id="right-sidebar" class="widget-area is-right-sidebar"'),
        active="About",
    ))

    tracking = {"in-defence-of-the-last-bus-from-the-harbour":
                "?utm_source=atom&utm_medium=feed&utm_campaign=opinion"}
    atom_xml, atom_items = northgate_atom(site, published, tracking)
    write(root / "atom.xml", atom_xml)
    write(root / "atom.xml.headers", "Content-Type: application/atom+xml; charset=UTF-8\n")
    write(root / "robots.txt",
          "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
          "Disallow: /private/\n")

    images = {a.slug + ".jpg" for a in ordered}
    images |= {b[1] for a in ordered for b in a.body if b[0] == "figure"}
    for name in sorted(images):
        write(root / UPLOADS.strip("/") / name, tiny_jpeg(640, 360))

    non_article_news = ["/private/draft-budget-leak/", "/about/", "/tag/elections/",
                        "/tag/quayside-green/", "/tag/planning/", "/category/news/page/2/",
                        "{{SITE:riverside-herald}}/"]
    wire = next(a for a in arts.values() if a.data.get("wire"))
    return {
        "site_name": site["site_name"],
        "utc_offset": site["offset"],
        "home": "/",
        "articles": truth_articles,
        "pages": pages,
        "feed": {
            "path": "/atom.xml",
            "format": "atom",
            "items": atom_items,
            "article_paths": [i["path"] for i in atom_items],
        },
        "sections": {
            "/category/news/": {
                "article_paths": [a.path for a in page1],
                "excerpts": {a.path: a.archive_excerpt() for a in page1},
                "next_page": "/category/news/page/2/",
                "non_article_links": non_article_news,
                "external_links": ["{{SITE:riverside-herald}}/"],
            },
            "/category/news/page/2/": {
                "article_paths": [a.path for a in page2],
                "excerpts": {a.path: a.archive_excerpt() for a in page2},
                "next_page": None,
                "non_article_links": ["/category/news/"],
                "external_links": [],
            },
            "/category/opinion/": {
                "article_paths": [a.path for a in opinion_items],
                "excerpts": {a.path: a.archive_excerpt() for a in opinion_items},
                "next_page": None,
                "non_article_links": ["/about/", "/tag/elections/", "/tag/quayside-green/",
                                      "/tag/planning/"],
                "external_links": [],
            },
        },
        "tag_pages": tag_pages,
        "robots": {"path": "/robots.txt", "disallow": ["/wp-admin/", "/private/"],
                   "allow": ["/wp-admin/admin-ajax.php"], "sitemaps": []},
        "broken": {
            "404": [],
            "missing_link": [],
            "empty_body": [],
            "non_html": [],
            "too_short": [brief.path],
            "robots_disallowed": [private.path],
        },
        "cross_posted": None,
        "_wire_path": wire.path,
    }


CHROME_PHRASES = [
    "Share this:",
    "Click to share on Facebook",
    "Get the morning briefing",
    "We never share your address",
    "Leave a Reply",
    "Your email address will not be published",
    "Post Comment",
    "says:",
    "Related posts:",
    "Related Posts:",
    "Recent Posts",
    "Most Read",
    "Advertisement",
    "Skip to content",
    "Proudly powered by WordPress",
    "View all posts by",
    "Editor’s picks",
]


def main() -> None:
    for name in ("riverside-herald", "northgate-gazette"):
        target = SITES_DIR / name
        if target.exists():
            shutil.rmtree(target)
    riverside = build_riverside(SITES_DIR / "riverside-herald")
    northgate = build_northgate(SITES_DIR / "northgate-gazette")
    cross = {"riverside-herald": riverside.pop("_wire_path"),
             "northgate-gazette": northgate.pop("_wire_path")}
    riverside["cross_posted"] = cross
    northgate["cross_posted"] = cross

    phrases = list(CHROME_PHRASES)
    for site in (C.RIVERSIDE, C.NORTHGATE):
        phrases += [site["cookie"], site["newsletter_text"], site["copyright"]]
        phrases += list(site["authors"].values())
        phrases += [text for _, text in site["comments"]]

    expected = {
        "_about": "Ground truth for data/demo/sites, written by data/demo/generate.py; "
                  "do not edit by hand. Paths are site-relative; '{{SITE}}' and "
                  "'{{SITE:name}}' are the static server's base-URL tokens. Times ending "
                  "'_at' are UTC.",
        "riverside-herald": riverside,
        "northgate-gazette": northgate,
        "cross_posted": cross,
        "chrome_phrases": phrases,
    }
    check(expected)
    EXPECTED_PATH.parent.mkdir(parents=True, exist_ok=True)
    EXPECTED_PATH.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")


def check(expected: dict) -> None:
    """Guard the promises the tests rely on; fail loudly if content drifts."""
    problems = []
    for name in ("riverside-herald", "northgate-gazette"):
        site = expected[name]
        for path, art in site["articles"].items():
            paras = [art["paragraphs"][b["paragraph"]] for b in art["blocks"] if b["type"] == "p"]
            if not 5 <= len(paras) <= 9:
                problems.append(f"{name}{path}: {len(paras)} paragraphs")
            for p in paras:
                if not 40 <= len(p.split()) <= 120:
                    problems.append(f"{name}{path}: paragraph of {len(p.split())} words: {p[:40]}")
            if not 2 <= len(art["teasers"]) <= 4:
                problems.append(f"{name}{path}: {len(art['teasers'])} teasers")
            for t in art["teasers"]:
                if t["path"] == path:
                    problems.append(f"{name}{path}: teaser points to itself")
                if not 25 <= len(t["excerpt"].split()) <= 35:
                    problems.append(f"{name}{path}: teaser excerpt length")
            body = " ".join(art["paragraphs"]).lower()
            for phrase in expected["chrome_phrases"]:
                if phrase.lower() in body:
                    problems.append(f"{name}{path}: chrome phrase in body: {phrase}")
        for path in site["broken"]["too_short"]:
            words = sum(len(p.split()) for p in site["pages"][path]["paragraphs"])
            if words >= 40:
                problems.append(f"{name}{path}: brief has {words} words")
    cross = expected["cross_posted"]
    a = expected["riverside-herald"]["articles"][cross["riverside-herald"]]["paragraphs"]
    b = expected["northgate-gazette"]["articles"][cross["northgate-gazette"]]["paragraphs"]
    if a != b:
        problems.append("cross-posted bodies differ")
    if problems:
        raise SystemExit("content check failed:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
