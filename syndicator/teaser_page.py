"""A page as the teaser detector sees it: its site, its story's body, and its
links to other stories of the site (:class:`PageLinks`).

1. **The site.** The page's registered domain, and its brand's other domains
   (``example.de`` beside ``example.com``). A page fetched from an address (a
   mirror, a test) is of its canonical URL's site; otherwise a canonical URL
   elsewhere is a copy's original, not this site.
2. **The body.** The element holding most paragraph text (the story cut into
   chunks between ads counted whole), and its first and last paragraph: links
   between those two are the story's own, never teasers.
3. **Candidate links.** Every link, outside the body and the page's menus,
   breadcrumbs and pagers, to another page of the same site whose path looks
   like a story's (:func:`article_path`), with a headline when the path alone
   does not say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from courlan import extract_domain
from lxml import etree
from lxml.html import HtmlElement

from syndicator.teaser_words import (
    NOT_ARTICLE_SEGMENT,
    NOT_HEADLINE,
    RELATED,
    classes_say,
    fold,
    is_navigation,
)
from syndicator.urls import TRACKING_PARAMS

BODY_PARAGRAPH = 60  # characters of text that make a body paragraph (half not a link)
# elements that hold text, not paragraphs: what holds a paragraph-like div is no body
_INLINE = {
    "a",
    "span",
    "li",
    "p",
    "em",
    "strong",
    "b",
    "i",
    "button",
    "label",
    "small",
    "body",
    "html",
}
_SLUG_WORDS = re.compile(r"[a-z0-9\u00c0-\uffff]+(?:[-_+.][a-z0-9\u00c0-\uffff]+){2,}", re.I)
_ID = re.compile(r"\d{5,}")  # an article's number in its URL
_PARAGRAPHS = etree.XPath("//p | //div[not(div|p|ul|ol|table|section|article|figure|aside)]")
_PAGE_FILE = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cfm)$", re.IGNORECASE)
_NOT_PAGE_FILE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|ico)$", re.IGNORECASE
)


@dataclass(eq=False)
class Link:
    element: HtmlElement
    url: str  # absolute, without fragment and tracking parameters: one per article
    text: str
    href: str = ""  # as the page links it (absolute, without fragment)
    # an article for sure, or only inside a related-posts plugin's block (a
    # WordPress permalink can be one word: /hello/)
    article: bool = True


@lru_cache(maxsize=16384)  # a page links a hundred hosts; a crawl, thousands
def registered_domain(host: str) -> str:
    """``news.bbc.co.uk`` -> ``bbc.co.uk``; an address or an unknown suffix as it is."""
    host = host.lower().removeprefix("www.")
    if not host or host[0].isdigit() or ":" in host:
        return host
    return extract_domain(f"https://{host}/") or host


def text_of(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


_SHOWN = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")


def shown_text(el: HtmlElement) -> str:
    """The text a reader sees in ``el``: not the code of a script inside it."""
    if el.find(".//script") is None and el.find(".//style") is None:
        return text_of(el)
    return " ".join("".join(_SHOWN(el)).split())


@lru_cache(maxsize=8192)
def article_path(path: str) -> str | None:
    """How sure a URL path is to be an article's: "sure" (a slug of three words
    or more, an id, a page file), "maybe" (a two-word slug under a section:
    an article when its link reads like a headline), "weak" (any other page:
    a section's front such as ``/tech/`` or ``/real-estate/``, or a one-word
    WordPress permalink), or None: the front page, a tag, an author, a pager,
    a login, a file."""
    segments = [s for s in path.split("/") if s]
    if not segments or _NOT_PAGE_FILE.search(segments[-1]):
        return None
    # /tag/x, /author/jane-doe/, /page/2: a list of stories; /videos/category/history/
    # the-1930s-were-not-a-good-time/ is a story filed under one
    if any(NOT_ARTICLE_SEGMENT.match(s) for s in segments[-2:]):
        return None
    if all(s.isdigit() for s in segments):
        return None  # /2026/02/14/: a day's archive
    last = segments[-1]
    if _SLUG_WORDS.search(last) or _ID.search(last) or _PAGE_FILE.search(last):
        return "sure"
    if not last.isdigit() and any(len(s) == 4 and s.isdigit() for s in segments[:-1]):
        return "sure"  # a dated permalink: /2019/11/story/
    if any(NOT_ARTICLE_SEGMENT.match(s) for s in segments):
        return None  # /category/business/artificial-intelligence: a list, deeper down
    if len(segments) >= 2 and re.search(r"\w[-_]\w", last):
        return "maybe"
    return "weak"


def headline_like(text: str, words: int = 4) -> bool:
    """Link text that reads like a headline: ``words`` words or more (in CJK
    scripts, twice as many characters), not "Read more"."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)  # CJK: a character is a word
    long_enough = len(text.split()) >= words or wide >= 2 * words
    return long_enough and len(text) <= 300 and not NOT_HEADLINE.match(text)


class PageLinks:
    """The page's links to other articles of its own site, and where its body is."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self.tree = tree
        head = _head(tree)
        base = head.get("base", "")
        self.base = urljoin(url, base) if base else url
        canonical = head.get("canonical") or head.get("og:url") or ""
        self.own = {strip(url), strip(urljoin(url, canonical)) if canonical else ""} - {""}
        host = (urlsplit(url).hostname or "").lower()
        # the site the page is of (its registered domain), and all the domains
        # that are the same site
        self.site = registered_domain(host)
        if canonical and (host[:1].isdigit() or host == "localhost" or ":" in host):
            # a page served from an address (a mirror, a test) is of its canonical's site;
            # otherwise a canonical elsewhere is a copy's original, not this site
            named = registered_domain(urlsplit(urljoin(url, canonical)).hostname or "")
            self.site = named or self.site
        self.sites = {registered_domain(host), self.site}
        # the brand's other domains (example.de beside example.com, bbc.com beside
        # bbc.co.uk) are the same site
        brands = {site.split(".")[0] for site in self.sites if not site[:1].isdigit()}
        hosts = {
            href.split("//", 1)[-1].split("/", 1)[0].split(":")[0].lower()
            for href in tree.xpath("//a/@href[starts-with(., 'http')]")
        }
        for other in map(registered_domain, hosts):
            if other.split(".")[0] in brands:
                self.sites.add(other)
        name = head.get("og:site_name", "")
        self.site_words = {fold(name).replace(" ", "")} | {
            site.split(".")[0] for site in self.sites if not site[:1].isdigit()
        }
        self.site_words.discard("")

        self.base_parts = urlsplit(self.base)
        self.body, self.body_span, self.local = self._find_body()
        # each ancestor of the body, and the index of its child on the way to it
        self._to_body: dict[HtmlElement, int] = {}
        if self.body is not None:
            child = self.body
            for ancestor in self.body.iterancestors():
                self._to_body[ancestor] = ancestor.index(child)
                child = ancestor
        self.around_body = set(self._to_body)
        self._menus: dict[HtmlElement, bool] = {}

    def _find_body(
        self,
    ) -> tuple[HtmlElement | None, tuple[int, int], dict[HtmlElement, int]]:
        """The element holding the story's paragraphs, and the order numbers of
        its first and last paragraph. A paragraph is a ``p``, or a ``div`` of
        text alone (some sites set their stories in those), with some text of
        its own besides links. The element holding most of that text is the
        body; when the story is cut into several like it (chunks between ads),
        the element holding them all."""
        own: dict[HtmlElement, list[int]] = {}  # text and paragraphs of each container
        paragraphs: list[tuple[HtmlElement, HtmlElement]] = []
        for p in _PARAGRAPHS(self.tree):
            text = len(text_of(p))
            if text < BODY_PARAGRAPH:
                continue
            linked = sum(len(text_of(a)) for a in p.iter("a"))
            if text - linked < BODY_PARAGRAPH // 2:
                continue  # a paragraph that is one link: a teaser's, not the story's
            parent = p.getparent()
            if parent is None or parent.tag in _INLINE:
                continue
            counted = own.setdefault(parent, [0, 0])
            counted[0] += text
            # a story in one block of text cut by line breaks has paragraphs too
            counted[1] += 1 + (len(p.findall("br")) // 2 if p.tag == "div" else 0)
            paragraphs.append((parent, p))
        if not own:
            return None, (-1, -1), {}
        # a container of paragraphs holds those of a box of paragraphs inside it
        # (the rest of a story behind a "read all" wrapper) too
        total = {el: list(counted) for el, counted in own.items()}
        for el, (text, count) in own.items():
            outer = el.getparent()
            if outer in own:
                total[outer][0] += text
                total[outer][1] += count
        # a story has paragraphs: one long text alone is a box, a modal, a footer
        stories = [el for el, (_, count) in total.items() if count >= 2] or list(total)
        body = max(stories, key=lambda el: total[el][0])
        outer = body.getparent()
        if outer is not None and outer.tag not in ("body", "html"):
            chunks = [c for c in outer if c in own and c.get("class") == body.get("class")]
            if len(chunks) > 1:
                body = outer  # the story cut into chunks between ads
        # the order of the body's elements: which link is between its paragraphs
        local = {el: index for index, el in enumerate(body.iter())}
        own = [local[p] for parent, p in paragraphs if parent is body or parent.getparent() is body]
        return body, (min(own), max(own)), local

    def in_body(self, el: HtmlElement) -> bool:
        """Between the body's first and last paragraph, inside the body's element."""
        first, last = self.body_span
        return first < self.local.get(el, -1) < last

    def in_menu(self, a: HtmlElement) -> bool:
        """Whether a link is in a menu, a breadcrumb or a pager (whatever holds
        the story is none: a <body class="site-navigation"> is no menu)."""
        for el in a.iterancestors():
            if el in self.around_body or el.tag in ("html", "body", "main", "article"):
                return False
            menu = self._menus.get(el)
            if menu is None:
                names = class_names(el)
                menu = self._menus[el] = (el.tag == "nav" or is_navigation(names)) and classes_say(
                    names
                ) != RELATED
            if menu:
                return True
        return False

    def after_body(self, el: HtmlElement) -> bool:
        """Whether ``el`` comes after the body's last paragraph in the page."""
        if self.body is None:
            return True
        if el in self.local:
            return self.local[el] > self.body_span[1]
        child = el
        for ancestor in el.iterancestors():
            if ancestor in self._to_body:
                return ancestor.index(child) > self._to_body[ancestor]
            child = ancestor
        return False

    def candidates(self) -> list[Link]:
        """Links to other articles of the site, outside the body, in page order.
        A URL whose path is only maybe an article's counts when one of its
        links reads like a headline."""
        found, kind, headline, named, worded = [], {}, set(), set(), set()
        for a in self.tree.iter("a"):
            resolved = self.resolve(a.get("href") or "")
            if resolved is None:
                continue
            href, sure = resolved
            url = story_key(article_key(href))
            if url.rstrip("/") in self.own or self.in_body(a) or self.in_menu(a):
                continue
            link = Link(a, url, text_of(a), href)
            found.append(link)
            kind[url] = sure
            if headline_like(link.text):
                headline.add(url)
            if headline_like(link.text, words=3):
                named.add(url)
            if link.text:
                worded.add(url)
        for link in found:
            # a hub's link says one word ("Amsterdam"), a story's link a headline
            named_or_pictured = link.url in named or link.url not in worded
            link.article = (kind[link.url] == "sure" and named_or_pictured) or (
                kind[link.url] == "maybe" and link.url in headline
            )
        return found

    def resolve(self, href: str) -> tuple[str, str] | None:
        """The absolute URL (fragment dropped) of a link to what may be an
        article of this site, and how sure its path is (:func:`article_path`);
        None for any other link. Cheap: most links of a page are refused by
        their form."""
        href = href.strip()
        if not href or href[0] == "#" or href.startswith(("javascript:", "mailto:", "tel:")):
            return None
        if href.startswith(("http://", "https://", "//")):
            absolute = href if href[0] != "/" else f"{self.base_parts.scheme}:{href}"
            # host and path by hand: most of a page's links are to other sites or
            # hubs, and urlsplit for each costs more than the rest of the test
            rest = absolute.split("//", 1)[1]
            authority, _, path = rest.partition("/")
            host = authority.rsplit("@", 1)[-1].split(":", 1)[0].lower()
            if host.startswith("["):
                return None  # an address literal of IPv6: never a source's article
            if registered_domain(host) not in self.sites:
                return None
            url = absolute.split("#", 1)[0]
            path = "/" + path.split("?", 1)[0].split("#", 1)[0]
        elif href.startswith("/"):
            url = f"{self.base_parts.scheme}://{self.base_parts.netloc}{href.split('#', 1)[0]}"
            path = href.split("?", 1)[0].split("#", 1)[0]
        else:
            try:
                url = urljoin(self.base, href).split("#", 1)[0]
                parts = urlsplit(url)
            except ValueError:
                return None
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return None
            if registered_domain(parts.hostname) not in self.sites:
                return None  # "https:other.example/x" is another site too
            path = parts.path
        sure = article_path(path)
        return (url, sure) if sure else None


def _head(tree: HtmlElement) -> dict[str, str]:
    """The ``<base href>``, canonical URL, ``og:url`` and ``og:site_name`` of a page."""
    found: dict[str, str] = {}
    head = tree.find("head")
    _read_head(head.iter("base", "link", "meta") if head is not None else (), found)
    if "canonical" not in found and "og:url" not in found:
        # a head broken by a stray tag leaves the rest of its links in the body
        _read_head(tree.iter("link", "meta"), found)
    return found


def _read_head(elements: Any, found: dict[str, str]) -> None:
    for el in elements:
        if el.tag == "base" and el.get("href"):
            found.setdefault("base", el.get("href", "").strip())
        elif el.tag == "link" and (el.get("rel") or "").lower() == "canonical":
            found.setdefault("canonical", (el.get("href") or "").strip())
        elif el.tag == "meta" and el.get("property") in ("og:url", "og:site_name"):
            found.setdefault(el.get("property", ""), (el.get("content") or "").strip())


def path_shape(path: str) -> tuple[str, ...]:
    """What a URL path is made of, segment by segment: a number, a slug, a word."""
    shape = []
    for segment in (s for s in path.split("/") if s):
        if segment.isdigit():
            shape.append("number")
        elif "-" in segment or "_" in segment:
            shape.append("slug" + (segment.rsplit(".", 1)[-1] if "." in segment else ""))
        else:
            shape.append("word")
    return tuple(shape)


def article_key(url: str) -> str:
    """One spelling per story on a page: the URL without its tracking parameters
    (cheaper than a whole normalisation, and enough to tell a page's links apart)."""
    base, _, query = url.partition("?")
    if not query:
        return base
    kept = [p for p in query.split("&") if p and not TRACKING_PARAMS.match(p.split("=", 1)[0])]
    return f"{base}?{'&'.join(kept)}" if kept else base


def story_key(url: str) -> str:
    """One spelling of a story's URL for telling a page's links apart:
    ``HTTP://News.Example:80/x/`` and ``http://news.example/x/`` are one
    story (scheme and host folded, the default port dropped). Cheaper than a
    whole normalisation, for every link of a page."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    scheme = scheme.lower()
    authority, slash, path = rest.partition("/")
    authority = authority.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and authority.endswith(default):
        authority = authority[: -len(default)]
    return f"{scheme}://{authority}{slash}{path}"


def strip(url: str) -> str:
    """A URL as the page's own spellings are kept: no fragment, no tracking, no final slash."""
    url = url.split("#", 1)[0]
    return article_key(url).rstrip("/")


def class_names(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}".strip()
