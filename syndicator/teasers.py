"""Related-story teasers: find the related-story blocks of a page, read their
teasers, and hand the blocks back so extraction can cut them out of the body.

A source's own selectors (``[sources.teasers]``: CSS, or XPath when a
selector starts with ``/`` or ``(``) come first. Then, unless the source
turned them off (``use_defaults = false``), the blocks a reader would see as
related stories (:mod:`syndicator.teaser_blocks`, read by
:mod:`syndicator.teaser_cards`). One-link "Read also" paragraphs inside the
body are cut too: they are neither teasers nor body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cssselect import GenericTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

from syndicator.teaser_blocks import Detector, read_also_paragraphs
from syndicator.teaser_cards import BlockReader
from syndicator.teaser_page import PageLinks
from syndicator.teaser_places import observe
from syndicator.urls import is_http_url, normalize_url

DEFAULT_ITEMS = ".jp-relatedposts-post, li, article, .related-post, .related-item, .yarpp-thumbnail"
DEFAULT_TITLES = (
    ".jp-relatedposts-post-title, .crp_title, .yarpp-thumbnail-title, .entry-title,"
    " [class*=title], h2, h3, h4, h5"
)
DEFAULT_EXCERPTS = (
    ".jp-relatedposts-post-excerpt, .crp_excerpt, [class*=excerpt], [class*=summary], small, p"
)
_NOT_EXCERPT_CLASSES = ("date", "context", "meta", "title", "byline")


# what a CSS selector becomes in XPath; also accepted as XPath in a selector
_ANY = "descendant-or-self::*["


class SelectorProblem(ValueError):
    pass


@lru_cache(maxsize=256)
def as_xpath(selector: str) -> str:
    selector = selector.strip()
    if selector.startswith(("/", "(", _ANY)):
        return selector
    try:
        return GenericTranslator().css_to_xpath(selector, prefix="descendant-or-self::")
    except SelectorError as exc:
        raise SelectorProblem(f"bad CSS selector {selector!r}: {exc}") from None


def check_selector(selector: str) -> None:
    """Raise ``ValueError`` with a readable reason if the selector is not valid."""
    try:
        etree.XPath(as_xpath(selector))
    except etree.XPathSyntaxError as exc:
        raise SelectorProblem(f"bad XPath selector {selector!r}: {exc}") from None


def _top_level(xpath: str, separator: str) -> list[str]:
    """``xpath`` split at ``separator`` where it is outside quotes, brackets and parentheses."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(xpath):
        char = xpath[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and xpath.startswith(separator, i):
            parts.append(xpath[start:i])
            start = i = i + len(separator)
            continue
        i += 1
    return [*parts, xpath[start:]]


def _merged(parts: list[str]) -> str:
    """One XPath for the union of ``parts``, with every ``descendant-or-self::*[P]``
    folded into a single predicate: a page is walked once, not once per selector
    (most of the cost of finding blocks on a large page)."""
    predicates, others = [], []
    for part in parts:
        inner = part.strip()[len(_ANY) : -1]
        simple = part.strip().startswith(_ANY) and part.strip().endswith("]")
        if simple and _top_level(inner, "]") == [inner]:
            predicates.append(f"({inner})")
        else:
            others.append(part)
    if predicates:
        others.insert(0, _ANY + " or ".join(predicates) + "]")
    return " | ".join(others)


@lru_cache(maxsize=256)
def _compiled(selectors: tuple[str, ...], relative: bool) -> etree.XPath:
    parts = []
    for selector in selectors:
        for xpath in _top_level(as_xpath(selector), " | "):
            if relative and xpath.startswith("/"):
                xpath = "." + xpath  # an absolute XPath asked of an item means "below this item"
            parts.append(xpath)
    return etree.XPath(_merged(parts))


def select(node: HtmlElement, *selectors: str) -> list[HtmlElement]:
    """Elements matching any of the selectors, in document order (one pass)."""
    xpath = _compiled(selectors, node.getparent() is not None)
    return [el for el in xpath(node) if isinstance(el, HtmlElement)]


def _text(el: HtmlElement | None) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(elements)
    result = []
    for el in elements:
        if any(parent in chosen for parent in el.iterancestors()):
            continue
        if el not in result:
            result.append(el)
    return result


@dataclass
class FoundTeasers:
    """What :func:`find_teasers` found on a page."""

    teasers: list[dict[str, Any]]  # in page order, one per related article
    cut: list[HtmlElement]  # to cut out of the page before its body is extracted
    # what the page says of the places of its groups of story links, for the
    # source's learning (syndicator.teaser_places.observe)
    places: list[dict[str, Any]] = field(default_factory=list)
    # the page as the detector read it (its site, its links), for the body's trim
    page: PageLinks | None = None


def find_teasers(
    tree: HtmlElement,
    url: str,
    selectors: dict[str, Any] | None = None,
    learned: Mapping[str, Iterable[str]] | None = None,
) -> FoundTeasers:
    """The page's teasers, the elements to cut out of the page before its body
    is extracted, and what the page teaches of its source's template.
    ``learned`` are, for each site of the source, the places its other pages
    taught (:mod:`syndicator.teaser_places`)."""
    selectors = selectors or {}
    own = _outermost(select(tree, *selectors["block"])) if selectors.get("block") else []
    teasers = read_teasers(own, url, selectors)
    found = FoundTeasers(teasers, list(own))
    if not selectors.get("use_defaults", True):
        return found
    page = found.page = PageLinks(tree, url)
    use = (learned or {}).get(page.site, ()) if selectors.get("learn", True) else ()
    detector = Detector(page, frozenset(use))
    # one teaser per story, whichever tracking parameters its links carry
    seen = {normalize_url(t["url"]) for t in teasers}
    # the page itself, however a link spells it (case, port, tracking, final slash)
    own_pages = {normalize_url(u).rstrip("/") for u in page.own}
    inside_own = set(own)
    blocks = detector.blocks()
    for block in blocks:
        if any(el in inside_own for el in block.parent.iterancestors()) or block.parent in own:
            continue  # the source's own selectors read this part already
        for teaser in BlockReader(block).teasers(url):
            key = normalize_url(teaser["url"])
            if key not in seen and key.rstrip("/") not in own_pages:
                seen.add(key)
                teasers.append(teaser)
        found.cut += block.nodes()
    found.cut += read_also_paragraphs(page)
    found.places = observe(detector, blocks)
    return found


def _first(item: HtmlElement, selector: str | None, default: str) -> HtmlElement | None:
    for sel in (selector, default):
        if sel:
            found = select(item, sel)
            if found:
                return found[0]
    return None


def _excerpt(item: HtmlElement, selector: str | None, title: str) -> str:
    if selector:
        return _text(_first(item, selector, ""))
    for el in select(item, DEFAULT_EXCERPTS):
        classes = (el.get("class") or "").lower()
        if any(word in classes for word in _NOT_EXCERPT_CLASSES):
            continue
        text = _text(el)
        if text and text != title:
            return text
    return ""


def _image(item: HtmlElement, selector: str | None) -> str | None:
    img = _first(item, selector, "img")
    if img is None:
        return None
    for attr in ("data-src", "data-lazy-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    srcset = (img.get("srcset") or "").strip()
    return srcset.split(",")[0].split()[0] if srcset else None


def read_teasers(
    blocks: list[HtmlElement], page_url: str, selectors: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Title, URL, excerpt and image of each teaser, in page order, one per URL."""
    selectors = selectors or {}
    page = normalize_url(page_url)
    teasers: list[dict[str, Any]] = []
    seen = {page}
    for block in blocks:
        items = _outermost(select(block, selectors.get("item") or DEFAULT_ITEMS))
        if not items:
            items = [a for a in block.iter("a") if a.get("href")]
        for item in items:
            teaser = _read_item(item, page_url, selectors)
            if teaser and teaser["url"] not in seen:
                seen.add(teaser["url"])
                teasers.append(teaser)
    return teasers


def _read_item(
    item: HtmlElement, page_url: str, selectors: dict[str, Any]
) -> dict[str, Any] | None:
    links = [item] if item.tag == "a" else select(item, selectors.get("link") or "a[href]")
    links = [a for a in links if (a.get("href") or "").strip()]
    if not links:
        return None
    link = next((a for a in links if _text(a)), links[0])
    url = normalize_url(link.get("href", ""), base=page_url)
    if not is_http_url(url):
        return None
    title = _text(_first(item, selectors.get("title"), DEFAULT_TITLES)) if item.tag != "a" else ""
    title = title or _text(link) or (link.get("title") or "").strip()
    if not title:
        img = next(item.iter("img"), None)
        title = (img.get("alt") or "").strip() if img is not None else ""
    if not title:
        return None
    image = _image(item, selectors.get("image"))
    return {
        "title": title,
        "url": url,
        "excerpt": _excerpt(item, selectors.get("excerpt"), title) if item.tag != "a" else "",
        "image_url": normalize_url(image, base=page_url) if image else None,
    }
