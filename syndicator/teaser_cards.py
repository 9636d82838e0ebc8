"""Reading the teasers of a related-story block: one per related article.

Each article a block links to is one teaser, read from its card (the largest
part of the block that links to that article alone): the headline link's
text as the title, without the kicker, section label, date or credit a card
puts beside or inside it; the excerpt the card shows, when it shows one
(dates, bylines, categories and "Read more" are not excerpts); the card's
picture. A card with no headline text (an image alone) is no teaser.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from syndicator.teaser_blocks import Block, card_class
from syndicator.teaser_page import Link, headline_like, text_of
from syndicator.teaser_words import NOT_HEADLINE
from syndicator.urls import normalize_url

# parts of a card that label a story rather than name it
_LABEL = re.compile(
    r"kicker|label|categor|section|\btags?\b|date|time|byline|author|meta|badge|duration"
    r"|credit|eyebrow|overline|rubric|flag|sponsor|read-?time|comment|count|icon|sr-only"
    r"|visually-?hidden|screen-?reader",
    re.IGNORECASE,
)
_HEADLINE = re.compile(r"(?<!sub)(?<!sub-)title|headline|\bhed\b|heading", re.IGNORECASE)
_EXCERPT = re.compile(
    r"excerpt|summary|\bdek\b|desc|teaser|standfirst|intro|lede|\blead\b|snippet|blurb|subhead"
    r"|deck|abstract|\btext\b|content|body",
    re.IGNORECASE,
)
_HEADLINE_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LINES = {"li", "p", "dd", "dt", *_HEADLINE_TAGS}
_INLINE = {"em", "strong", "b", "i", "br", "span"}
_BYLINE = re.compile(r"^(?:by|von|par|por|di|door|przez|автор)\s", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^[\W\d]*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[\s,\d]*)*"
    r"(?:\d{1,4}[\s./,:-]*){1,4}(?:am|pm|[ap]\.m\.|utc|gmt|et|[a-z]{2,4}t)?\W*$"
    r"|^\d+\s+(?:min(?:ute)?s?|hours?|days?|weeks?|months?)\b.{0,12}$",
    re.IGNORECASE,
)


def _names(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _is_label(el: HtmlElement, top: HtmlElement) -> bool:
    """Whether ``el``, or an element between it and ``top``, labels a story."""
    while el is not None and el is not top:
        if el.tag == "time" or _LABEL.search(_names(el)):
            return True
        el = el.getparent()
    return False


def clean_text(el: HtmlElement) -> str:
    """The text of ``el`` without what labels a story inside it (kicker,
    section, date, credit, screen-reader hints)."""
    pieces = []
    for text in el.xpath(".//text()"):
        owner = text.getparent()
        if getattr(text, "is_tail", False):
            owner = owner.getparent() if owner is not el else None
        if owner is not None and owner is not el and _is_label(owner, el):
            continue
        pieces.append(str(text))
    return " ".join("".join(pieces).split()).strip(" |·•–—:")


def not_excerpt(text: str, title: str) -> bool:
    folded, name = text.casefold(), title.casefold()
    return (
        len(text.split()) < 3
        or folded in name
        or folded.startswith(name)
        or bool(_DATE_ONLY.match(text))
        or bool(_BYLINE.match(text))
        or bool(NOT_HEADLINE.match(text))
    )


class BlockReader:
    """The teasers of one block."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.top = set(block.nodes())
        # the block's containers, and the related articles each links to
        self.under: dict[HtmlElement, set[str]] = {}
        for link in block.links:
            for el in link.element.iterancestors():
                self.under.setdefault(el, set()).add(link.url)
                if el in self.top:
                    break

    def teasers(self, page_url: str) -> list[dict[str, Any]]:
        by_url: dict[str, list[Link]] = {}
        for link in self.block.links:
            by_url.setdefault(link.url, []).append(link)
        found = []
        for url, links in by_url.items():
            teaser = self._teaser(url, links, page_url)
            if teaser is not None:
                found.append(teaser)
        # in the order of their cards: a story whose first card is a picture
        # alone takes the place of its first card with a headline
        order = {id(link): index for index, link in enumerate(self.block.links)}
        found.sort(key=lambda teaser: order[id(teaser[0])])
        return [teaser for _, teaser in found]

    def _card(self, el: HtmlElement, url: str) -> HtmlElement:
        """The largest part of the block that links to ``url`` alone."""
        while el not in self.top:
            parent = el.getparent()
            if parent is None or self.under.get(parent, {url}) - {url}:
                break
            if _repeated(el):
                break  # one of a list's cards (the next may link to the same story)
            el = parent
        return el

    def _teaser(
        self, url: str, links: list[Link], page_url: str
    ) -> tuple[Link, dict[str, Any]] | None:
        """The story's teaser, and the link that gives its place and its URL."""
        # the story's first card with a headline is its teaser (a repeat further
        # on is dropped; a picture alone is no teaser), and its headline link the
        # one that reads as one
        cards: dict[HtmlElement, list[Link]] = {}
        for link in links:
            cards.setdefault(self._card(link.element, url), []).append(link)
        # the story's place, and the spelling of its URL, are its first card's
        # with a headline, even one too short to be its title (rule 9)
        named = next((link for link in links if link.text), None)
        for card, inside in cards.items():
            # the headline reads as one, and comes before an excerpt that is a link too
            headline = max(
                inside,
                key=lambda link: (
                    bool(link.text),
                    headline_like(link.text),
                    _in_headline(link.element),
                    -inside.index(link),
                ),
            )
            title = self._title(headline, card)
            if title:
                break
        else:
            return None
        first = named or headline
        return first, {
            "title": title,
            # as the page links it: tracking parameters are the site's own business
            "url": normalize_url(first.href or url, strip_tracking=False),
            "excerpt": self._excerpt(card, headline.element, title),
            "image_url": self._image(card, page_url),
        }

    def _title(self, headline: Link, card: HtmlElement) -> str:
        anchor = headline.element
        # a card wholly inside its link: the headline element in it names the story
        inner = [el for el in anchor.iter() if _headline_element(el) and el is not anchor]
        named = [text for text in (clean_text(el) for el in inner) if headline_like(text, 2)]
        if named:
            return named[0]
        title = clean_text(anchor) if headline.text else ""
        line = self._line(anchor, headline.url)
        if line and title and title in line:
            return line  # only part of the headline's line is the link: the whole line
        if title:
            return title
        for el in card.iter():  # a headline beside an image link
            if _headline_element(el) and not el.xpath(".//a[@href]"):
                return clean_text(el)
        return ""

    def _line(self, anchor: HtmlElement, url: str) -> str:
        """The text of the line (``li``, ``p``, a heading) a link is part of,
        when the link is not all of it and no other story's link shares it."""
        line = anchor.getparent()
        if line is None or line.tag not in _LINES or line in self.top:
            return ""
        if any(child is not anchor and child.tag not in _INLINE for child in line):
            return ""  # the line holds more than words around the link: an excerpt, a date
        text = clean_text(line)
        if len(text) > 200 or len(text) <= len(clean_text(anchor)) + 1:
            return ""
        if self.under.get(line, {url}) - {url}:
            return ""
        return text

    def _excerpt(self, card: HtmlElement, anchor: HtmlElement, title: str) -> str:
        for el in card.iter("p", "div", "span", "small"):
            if _headline_element(el) or _is_label(el, card):
                continue
            names = _names(el)
            if el.tag not in ("p", "small") and not _EXCERPT.search(names):
                continue
            if any(child.tag in ("p", "div") for child in el):
                continue  # a wrapper: its paragraphs are looked at one by one
            text = text_of(el)
            if not not_excerpt(text, title):
                return text
        return ""

    def _image(self, card: HtmlElement, page_url: str) -> str | None:
        img = next(card.iter("img"), None)
        if img is None:
            return None
        for attr in ("data-src", "data-lazy-src", "data-original", "src"):
            value = (img.get(attr) or "").strip()
            if value and not value.startswith("data:"):
                return normalize_url(value, base=page_url) or None
        srcset = (img.get("srcset") or img.get("data-srcset") or "").strip()
        return normalize_url(srcset.split(",")[0].split()[0], base=page_url) if srcset else None


def _repeated(el: HtmlElement) -> bool:
    """Whether ``el`` is one of several like it (an ``li`` of a list, a
    ``div.card`` of a grid): a card, above which the list begins."""
    parent = el.getparent()
    if parent is None or len(parent) < 2:
        return False
    if el.tag not in ("li", "article", "dd", "tr") and not (el.get("class") or "").split():
        return False  # two bare links side by side are one card's (its picture, its headline)
    # the whole class: "jsx-1350 item-thumbnail" and "jsx-1350 item-details" differ
    kind = (el.tag, card_class(el))
    return sum(1 for other in parent if (other.tag, card_class(other)) == kind) >= 2


def _in_headline(anchor: HtmlElement) -> bool:
    """A link inside a headline element, or holding one."""
    if any(_headline_element(el) for el in anchor.iterancestors()):
        return True
    return any(_headline_element(el) for el in anchor.iter() if el is not anchor)


def _headline_element(el: HtmlElement) -> bool:
    return el.tag in _HEADLINE_TAGS or bool(
        el.tag in ("div", "span", "p", "strong") and _HEADLINE.search(_names(el))
    )
