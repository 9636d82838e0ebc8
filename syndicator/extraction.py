"""Article extraction: one HTML page in, body + metadata + teasers out.

``extract_page`` is a pure function over an HTML string so that it can run
in worker processes (:class:`syndicator.extraction_pool.ExtractionPool`, which
also holds each page to a time and memory budget): parsing and trafilatura are
CPU-bound and would otherwise stall the crawl's event loop. The page is
parsed once; related-story blocks are read and cut out of that same tree
before trafilatura sees it, so teaser text never reaches the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from copy import deepcopy
from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura import bare_extraction
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.utils import HTML_PARSER, load_html
from trafilatura.xml import xmltotxt

from syndicator.body_markup import SavedMarkup
from syndicator.body_measures import link_share
from syndicator.body_trim import PageHeader, for_site, line_key, trim_body
from syndicator.dates import to_local_iso, to_utc_iso
from syndicator.neardup import fingerprints
from syndicator.rights import paywall_in_json_ld
from syndicator.teasers import find_teasers
from syndicator.urls import is_http_url, normalize_url

# Chosen by measurement with bench/extract.py (docs/benchmarks.md): trafilatura's
# single pass without its readability/jusText fallback ("fast") scores a higher
# text F1 than plain trafilatura.extract at three quarters of its cost (favouring
# precision gains 0.002 F1 for 30% more time). Keeping links or images costs
# precision, so they are put back afterwards (syndicator.body_markup).
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": True,
    "favor_precision": False,
    "fast": True,
    "with_metadata": True,
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}

# trafilatura's own threshold (MIN_EXTRACTED_SIZE) for trying jusText on a text
FALLBACK_BELOW = 250

# lxml.html's parsers pick each element's class in Python (HtmlElementClassLookup:
# a FormElement for <form>, an InputElement for <input>, ...), once for every
# element Python touches, some 1,600 times per page here. trafilatura's parser,
# which parses every page, gets the same HtmlElement class from a lookup done in
# C: 0.65 ms of 17 per page (bench/throughput.py). Neither trafilatura nor this
# module uses the form-specific classes.
HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)

_PUBLISHED = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate' or @name='publish-date' or @name='dc.date.issued']/@content",
    "//time[@itemprop='datePublished']/@datetime",
)
_MODIFIED = (
    "//meta[@property='article:modified_time']/@content",
    "//meta[@property='og:updated_time']/@content",
    "//meta[@itemprop='dateModified']/@content",
    "//time[@itemprop='dateModified']/@datetime",
)


def _first_date(
    tree: HtmlElement, xpaths: tuple[str, ...], ld_key: str, ld: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """The page's date as UTC, and as the page wrote it with its offset. A page
    may give the time with its offset in one place and without it in another
    (which would be read as UTC, a few hours off, maybe another day): the first
    date that names its offset wins over one that does not."""
    values = [str(v) for xpath in xpaths for v in tree.xpath(xpath)]
    values += [str(node.get(ld_key) or "") for node in ld]
    first = None
    for value in values:
        date = to_utc_iso(value)
        if not date:
            continue
        local = to_local_iso(value)
        if local:
            return date, local
        first = first or date
    return first, None


def _json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # not JSON, or nested deeper than json can go
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                nodes.append(node)
                stack.extend(v for k, v in node.items() if k == "@graph")
    return nodes


def _page_language(tree: HtmlElement) -> str | None:
    for value in (
        tree.get("lang"),
        *tree.xpath("//meta[@http-equiv='content-language']/@content"),
        *tree.xpath("//meta[@property='og:locale']/@content"),
    ):
        if value and value.strip():
            return value.strip().replace("_", "-")
    return None


def _page_tags(tree: HtmlElement) -> list[str]:
    values = tree.xpath("//meta[@property='article:tag']/@content")
    return [" ".join(v.split()) for v in values if v.strip()]


def _absolute_links(body: HtmlElement, base: str) -> None:
    for el, attr in ((el, "href") for el in body.iter("a")):
        if el.get(attr):
            el.set(attr, normalize_url(el.get(attr), base=base))
    for el in body.iter("img"):
        if el.get("src"):
            el.set("src", normalize_url(el.get("src"), base=base))


def _body_html(body: etree._Element, base: str, saved: SavedMarkup) -> str:
    html_tree = convert_to_html(deepcopy(body))
    container = html_tree[0]
    container.tag = "div"
    saved.restore(container)
    _absolute_links(container, base)
    inner = "".join(etree.tostring(child, encoding="unicode", method="html") for child in container)
    return inner.strip()


_CHAR_REFERENCE = re.compile(r"&#([xX][0-9a-fA-F]+|[0-9]+);?")


def _fit_for_xml(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or (0x10000 <= code <= 0x10FFFF)
    )


def without_unfit_references(html: str) -> str:
    """The page without character references to what XML cannot hold (``&#1;``,
    ``&#xFFFF;``). lxml turns them into those characters, trafilatura's XML
    tree then refuses the text, and the whole body is lost ("no article body
    found") for one invisible character; they carry no text, so they go."""
    if "&#" not in html:
        return html

    def keep(match: re.Match[str]) -> str:
        value = match.group(1)
        if len(value) > 12:  # far out of range: the HTML parser reads it as U+FFFD
            return match.group(0)
        code = int(value[1:], 16) if value[0] in "xX" else int(value)
        # so do NUL, surrogates and what is beyond Unicode
        readable = code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF
        return match.group(0) if readable or _fit_for_xml(code) else ""

    return _CHAR_REFERENCE.sub(keep, html)


def _thin(body: etree._Element, tree: HtmlElement) -> bool:
    """Whether trafilatura's single pass may have missed the story: the cases in
    which its own default goes on to readability and jusText (a short text, no
    paragraph in it, or a page whose paragraphs hold twice as much text)."""
    chars = sum(len(text.strip()) for text in body.itertext())
    if chars < FALLBACK_BELOW:
        return True
    if not any((p.text and p.text.strip()) or len(p) for p in body.iter("p")):
        return True
    total, enough = 0, 2 * chars
    for p in tree.iter("p"):  # stops as soon as the page has twice the text
        total += sum(len(text.strip()) for text in p.itertext())
        if total > enough:
            return True
    return False


def _extract(tree: HtmlElement, url: str) -> Any:
    """trafilatura's single pass, and its full cascade only where the single pass
    came out thin: the pages that need it pay for it, the rest do not."""
    doc = bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
    if doc is not None and doc.body is not None and not _thin(doc.body, tree):
        return doc
    full = bare_extraction(tree, url=url, **{**TRAFILATURA_OPTIONS, "fast": False})
    if full is None or full.body is None:
        return doc
    return full


def extract_page(
    html: str,
    url: str,
    teaser_selectors: dict[str, Any] | None = None,
    learned: Mapping[str, Iterable[str]] | None = None,
    boilerplate: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """Extract one page. Never raises on bad HTML: an unusable page comes back
    with an empty body and ``problem`` saying why. ``learned`` are, for each
    site of its source, the places of related-story blocks the source's other
    pages taught (:mod:`syndicator.teaser_places`); ``boilerplate`` the lines
    its articles repeat, by site (:mod:`syndicator.boilerplate`)."""
    tree = load_html(without_unfit_references(html))
    if tree is None:
        return {"problem": "not parseable as HTML", "body_text": "", "teasers": []}
    ld = _json_ld(tree)
    published_at, published_local = _first_date(tree, _PUBLISHED, "datePublished", ld)
    found: dict[str, Any] = {
        "published_at": published_at,
        "published_local": published_local,
        "modified_at": _first_date(tree, _MODIFIED, "dateModified", ld)[0],
        "language": _page_language(tree),
        "page_tags": _page_tags(tree),
        "og_type": (tree.xpath("string(//meta[@property='og:type']/@content)") or "").strip(),
        "paywalled": paywall_in_json_ld(ld),
    }
    teasers = find_teasers(tree, url, teaser_selectors, learned)
    found["teasers"], found["teaser_places"] = teasers.teasers, teasers.places
    for element in teasers.cut:
        if element.getparent() is not None:  # not inside one cut already
            element.drop_tree()
    saved = SavedMarkup.collect(tree)
    doc = _extract(tree, url)
    if doc is None or doc.body is None:
        return {**found, "body_text": "", "body_html": "", "problem": "no article body found"}
    header = PageHeader.read(
        tree, url, doc.title, doc.description, doc.author, teasers.page, for_site(boilerplate, url)
    )
    cut = trim_body(doc.body, header)
    learned_chars = sum(len(text) for text in cut if line_key(text) in header.learned)
    canonical = doc.url if doc.url and is_http_url(doc.url) else None
    body_text = xmltotxt(doc.body, include_formatting=False).strip()
    if not body_text and cut:
        first = cut[0] if len(cut[0]) <= 60 else cut[0][:57] + "..."
        problem = f"only the site's own lines, no story ({len(cut)} cut, such as {first!r})"
        return {**found, "body_text": "", "body_html": "", "problem": problem}
    found.update(
        title=doc.title,
        author=doc.author,
        description=doc.description,
        sitename=doc.sitename,
        canonical_url=canonical,
        image_url=normalize_url(doc.image, base=url) if doc.image else None,
        date=doc.date,
        tags=[*(doc.categories or []), *(doc.tags or [])],
        body_text=body_text,
        body_html=(body_html := _body_html(doc.body, url, saved)),
        # the gate's measure, taken here in parallel rather than in the crawl process
        link_share=link_share(body_html),
        # how much of the page's text was the source's standing lines (the gate's)
        boilerplate_share=learned_chars / ((learned_chars + len(body_text)) or 1),
        # here, in parallel, rather than in the crawl process's dedup pipeline
        fingerprints=sorted(fingerprints(body_text)),
    )
    return found
