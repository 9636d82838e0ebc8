"""Put the source's links and images back into trafilatura's body.

trafilatura picks the body best with links and images left out (measured in
bench/extract.py: asking it to keep them costs about 9 points of precision,
because link-heavy and image-heavy blocks then survive). So the body is
chosen without them, and afterwards each paragraph trafilatura kept gets its
links back from the source paragraph with the same text, and each figure that
directly follows a kept paragraph in the source is placed after it again.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement

BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "td", "figcaption")
_SKIP_TAGS = {"script", "style", "noscript", "template"}


def _key(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _inline_copy(el: HtmlElement) -> HtmlElement:
    copy = deepcopy(el)
    copy.tail = None
    for bad in copy.iter(*_SKIP_TAGS):
        bad.drop_tree()
    return copy


class SavedMarkup:
    """Links and figures of a page, keyed by the text of the block they belong to.

    It holds the page's own elements, copied only when one is put back: the page
    tree must stay as it is until :meth:`restore` (trafilatura works on a copy)."""

    def __init__(self) -> None:
        self.linked: dict[str, HtmlElement] = {}
        self.figures_after: dict[str, list[HtmlElement]] = {}

    @classmethod
    def collect(cls, tree: HtmlElement) -> SavedMarkup:
        saved = cls()
        for block in tree.iter(*BLOCKS):
            if block.find(".//a[@href]") is not None:
                key = _key(block)
                if len(key) > 3:
                    saved.linked.setdefault(key, block)
        for figure in tree.iter("figure", "img"):
            if figure.tag == "img" and (
                figure.getparent() is None or figure.getparent().tag in (*BLOCKS, "figure", "a")
            ):
                continue  # an inline image travels with its paragraph
            before = _previous_block(figure)
            if before is not None:
                key = _key(before)
                if key:
                    saved.figures_after.setdefault(key, []).append(figure)
        return saved

    def restore(self, body: etree._Element) -> None:
        """``body`` is trafilatura's output converted to HTML (a ``<body>``/``<div>``)."""
        for block in list(body.iter(*BLOCKS)):
            key = _key(block)
            original = self.linked.get(key)
            if original is not None and block.find(".//a") is None:
                _replace_content(block, _inline_copy(original))
            parent = block.getparent()
            if parent is None:
                continue
            for figure in reversed(self.figures_after.pop(key, [])):
                if parent.tag in ("ul", "ol"):
                    break
                block.addnext(_inline_copy(figure))


def _previous_block(el: HtmlElement) -> HtmlElement | None:
    for sibling in el.itersiblings(preceding=True):
        if isinstance(sibling.tag, str) and sibling.tag in BLOCKS:
            return sibling
        if isinstance(sibling.tag, str) and sibling.tag not in ("br", "figure", "img"):
            return None
    return None


def _replace_content(block: etree._Element, original: HtmlElement) -> None:
    tail = block.tail
    for child in list(block):
        block.remove(child)
    block.text = original.text
    for child in original:
        block.append(deepcopy(child))
    block.tail = tail
