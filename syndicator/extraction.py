"""Article extraction: one HTML page in, body + metadata + teasers out.

``extract_page`` is a pure function over an HTML string so that it can run
in worker processes (:class:`ExtractionPool`): parsing and trafilatura are
CPU-bound and would otherwise stall the crawl's event loop. The page is
parsed once; related-story blocks are read and cut out of that same tree
before trafilatura sees it, so teaser text never reaches the body.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from copy import deepcopy
from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura import bare_extraction
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.utils import HTML_PARSER, load_html
from trafilatura.xml import xmltotxt

from syndicator.body_markup import SavedMarkup
from syndicator.dates import to_utc_iso
from syndicator.neardup import fingerprints
from syndicator.teasers import find_blocks, read_teasers
from syndicator.urls import is_http_url, normalize_url

# Chosen by measurement with bench/extract.py (see the README): trafilatura's
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
) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            date = to_utc_iso(str(value))
            if date:
                return date
    for node in ld:
        date = to_utc_iso(str(node.get(ld_key) or ""))
        if date:
            return date
    return None


def _json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
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


def extract_page(
    html: str, url: str, teaser_selectors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Extract one page. Never raises on bad HTML: an unusable page comes back
    with an empty body and ``problem`` saying why."""
    tree = load_html(html)
    if tree is None:
        return {"problem": "not parseable as HTML", "body_text": "", "teasers": []}
    ld = _json_ld(tree)
    found: dict[str, Any] = {
        "published_at": _first_date(tree, _PUBLISHED, "datePublished", ld),
        "modified_at": _first_date(tree, _MODIFIED, "dateModified", ld),
        "language": _page_language(tree),
        "page_tags": _page_tags(tree),
        "og_type": (tree.xpath("string(//meta[@property='og:type']/@content)") or "").strip(),
    }
    blocks = find_blocks(tree, teaser_selectors)
    found["teasers"] = read_teasers(blocks, url, teaser_selectors)
    for block in blocks:
        block.drop_tree()
    saved = SavedMarkup.collect(tree)
    doc = bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
    if doc is None or doc.body is None:
        return {**found, "body_text": "", "body_html": "", "problem": "no article body found"}
    canonical = doc.url if doc.url and is_http_url(doc.url) else None
    body_text = xmltotxt(doc.body, include_formatting=False).strip()
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
        body_html=_body_html(doc.body, url, saved),
        # here, in parallel, rather than in the crawl process's dedup pipeline
        fingerprints=sorted(fingerprints(body_text)),
    )
    return found


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Worker initializer: the worker is killed when the crawl process dies.

    A crawl stopped normally shuts its pool down; one killed outright (SIGKILL,
    the OOM killer) cannot, and its workers, blocked on a queue whose other
    end they hold themselves, would wait forever. Spawned workers are children
    of the crawl process, so the kernel can do it (Linux); elsewhere the
    pool's own shutdown is all there is."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the crawl died before the line above
        os._exit(0)


class ExtractionPool:
    """Runs :func:`extract_page` in worker processes, awaitable from asyncio."""

    def __init__(self, workers: int | None = None) -> None:
        # spawned, not forked: the crawl process has threads (forking it is unsafe),
        # and a forkserver would outlive a killed crawl
        context = multiprocessing.get_context("spawn")
        self.workers = workers or os.cpu_count() or 1
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_die_with,
            initargs=(os.getpid(),),
        )

    async def extract(
        self, html: str, url: str, teaser_selectors: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        future = self._executor.submit(extract_page, html, url, teaser_selectors)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
