"""Finding related-story blocks that no selector names, as a reader would.

A related-story block is a group of links, outside the article's body, to
other articles of the same site, each with a headline, under a heading that
presents them as related or follow-up reading (RULES.md of the teaser labels).
The page's site, body and candidate links come from
:class:`syndicator.teaser_page.PageLinks`; here, for each candidate link:

1. **Its heading:** the nearest heading that comes
   before it in the containers around it: a short text (``h2``, a
   ``div.title``, a ``p``, an image's ``alt``) directly preceding the link's
   branch, at the first level where that branch's container holds two or
   more candidate articles (below that, a short text before a link is a
   card's kicker or category). Its words decide
   (:func:`syndicator.teaser_words.heading_says`): related or follow-up
   reading is a block; latest, most read, sponsored or a section's bare name
   is not. With no heading, the class and id words of the containers decide.
2. **The block** is the run of siblings from the heading to the last link it
   governs; it is read for teasers and cut out of the page before the body
   is extracted.

Nothing here names a site: what generalises is the reader's view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from syndicator.teaser_page import (
    Link,
    PageLinks,
    article_key,
    article_path,
    class_names,
    headline_like,
    path_shape,
    registered_domain,
    shown_text,
    text_of,
)
from syndicator.teaser_places import by_place, group_heading, groups, one_block
from syndicator.teaser_words import (
    DECORATION,
    NEUTRAL,
    RELATED,
    class_words,
    classes_say,
    generic_heading,
    heading_says,
    in_sidebar,
    is_pager,
)

MAX_LEVELS = 14  # containers climbed from a link to find its heading
MAX_SIBLINGS = 8  # siblings looked at before the link's branch, at each level
MAX_HEADING = 90  # characters: longer text before a link is a paragraph, not a heading
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_TAGS = {"p", "div", "span", "strong", "b", "em", "header", "legend", "label", "dt", "li"}
_SKIP = {"script", "style", "noscript", "template", "svg", "button", "form", "select"}
# a heading-ish element by its class or id: "ListD-header-title", "section-head"
_HEADING_CLASS = re.compile(r"title|head|label|caption|kicker-?head", re.IGNORECASE)
_DATE = re.compile(
    r"^\W*(?:\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\d+\s+(?:min|hours?|days?|weeks?)\b|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
    re.IGNORECASE,
)


@dataclass(eq=False)
class Block:
    """A related-story block: ``parent``'s children from ``first`` to ``last``
    (the heading, if any, and the branches holding the links)."""

    parent: HtmlElement
    first: int
    last: int
    heading: str
    links: list[Link] = field(default_factory=list)
    trusted: bool = False  # a related-posts plugin's block
    # how it was found: "heading" (says related), "class" (no heading, its class
    # says related), "neutral" (a heading with no say, a class saying related) or
    # "learned" (at a place the source's other pages taught)
    how: str = "heading"
    generic: bool = False  # a heading that offers just more of the site

    @property
    def urls(self) -> set[str]:
        return {link.url for link in self.links}

    def nodes(self) -> list[HtmlElement]:
        return list(self.parent[self.first : self.last + 1])


_ICON_TEXT = re.compile(r"^[a-z]+(?:_[a-z]+)+$")  # an icon font's ligature: arrow_forward_ios
_CONTROL_WORDS = frozenset(
    [
        "arrow",
        "arrows",
        "icon",
        "icons",
        "button",
        "btn",
        "control",
        "controls",
        "prev",
        "next",
        "slick",
        "swiper",
    ]
)


def decorative(el: HtmlElement, text: str) -> bool:
    """A carousel's arrows, an icon, a hidden label: between a heading and its
    links, not a heading."""
    if el.get("aria-hidden") == "true" or _ICON_TEXT.match(text):
        return True
    return bool(class_words(class_names(el)) & _CONTROL_WORDS)


def _same_kind(el: HtmlElement, other: HtmlElement) -> bool:
    """Two of a list's cards: ``li`` and ``li``, ``div.card`` and ``div.card``."""
    if el.tag != other.tag:
        return False
    if el.tag in ("li", "article", "dd", "tr"):
        return True
    classes = card_class(el)
    return bool(classes) and classes == card_class(other)


def card_class(el: HtmlElement) -> str:
    """An element's class without the numbers that tell one card from the next
    (``post post-3`` and ``post post-4`` are the same kind)."""
    return " ".join(sorted({c.rstrip("0123456789-_") for c in (el.get("class") or "").split()}))


def heading_text(el: HtmlElement) -> str | None:
    """The text ``el`` shows as a heading, or None when it is no heading: too
    long, a date, or holding a link to an article."""
    if el.tag in _SKIP or not isinstance(el.tag, str):
        return None
    text = shown_text(el)
    if not text:
        img = next(el.iter("img"), None)
        text = " ".join((img.get("alt") or "").split()) if img is not None else ""
    if not text or len(text) > MAX_HEADING or _DATE.match(text):
        return None
    tag = el.tag
    names = f"{el.get('class', '')} {el.get('id', '')}"
    if tag in _HEADING_TAGS or tag in _TEXT_TAGS or _HEADING_CLASS.search(names) or tag == "a":
        return text
    return text if any(d.tag in _HEADING_TAGS for d in el.iter()) else None


# WordPress's related-posts plugins (Jetpack, YARPP, Contextual Related Posts,
# Related Posts for WordPress), whose lists hold posts alone: a post's permalink
# may be one word (/hello/). A theme's "related-posts" class vouches for nothing.
_PLUGIN = re.compile(r"jp-relatedposts|yarpp|crp_related|crp-list|rp4wp", re.IGNORECASE)


class Detector:
    """Decides, for each candidate link of a page, whether it is a teaser, and
    gathers the teasers into blocks (see the module's docstring)."""

    def __init__(self, page: PageLinks, learned: frozenset[str] = frozenset()) -> None:
        self.page = page
        self.learned = learned  # places of the source's template learned from its other pages
        self._groups: dict[HtmlElement, list[Link]] | None = None
        self._places: dict[str, list[tuple[HtmlElement, list[Link]]]] | None = None
        self.links = page.candidates()
        # the containers of each link, up to where a heading is looked for, and
        # the candidate articles each holds
        self.under: dict[HtmlElement, set[str]] = {}
        for link in self.links:
            if not link.article:
                continue
            for level, anc in enumerate(link.element.iterancestors()):
                self.under.setdefault(anc, set()).add(link.url)
                if level > MAX_LEVELS:
                    break
        self.around_body = page.around_body
        self._headings: dict[tuple[HtmlElement, int], tuple[int, str, str] | None] = {}
        self._classes: dict[HtmlElement, tuple[str, bool, bool]] = {}

    def blocks(self) -> list[Block]:
        found: dict[tuple[int, int], Block] = {}
        for link in self.links:
            if not link.article and not self._under_plugin(link.element):
                continue  # only a related-posts plugin vouches for a link that is no story's
            decided = self._decide(link)
            if decided is None:
                continue
            block, branch = decided
            if not (link.article or block.trusted):
                continue  # not an article's link, and no plugin vouches for it
            key = (id(block.parent), block.first)
            block = found.setdefault(key, block)
            block.last = max(block.last, branch)
            block.links.append(link)
        # in page order: the order of their first links
        kept = [block for block in found.values() if self._keep(block)]
        for block in kept:
            self._add_sister_sites(block)
        if self.learned:
            kept += self._learned_blocks(kept)
            order = {id(link.element): index for index, link in enumerate(self.links)}
            kept.sort(key=lambda block: order.get(id(block.links[0].element), 0))
        return kept

    def groups(self) -> dict[HtmlElement, list[Link]]:
        """The page's groups of story links (:func:`syndicator.teaser_places.groups`)."""
        if self._groups is None:
            self._groups = groups(self)
        return self._groups

    def places(self) -> dict[str, list[tuple[HtmlElement, list[Link]]]]:
        """The groups at each place (:func:`syndicator.teaser_places.by_place`)."""
        if self._places is None:
            self._places = by_place(self)
        return self._places

    def _learned_blocks(self, kept: list[Block]) -> list[Block]:
        """Groups of story links at a place the source's other pages taught
        (:mod:`syndicator.teaser_places`), that no rule here took: a block
        unless its heading here says something else than "related"."""
        taken = {id(link.element) for block in kept for link in block.links}
        blocks = []
        for place, grouped in self.places().items():
            if place not in self.learned or not one_block(grouped):
                continue  # lists at that place all over this page: it names none of them
            root = grouped[0][0]
            links = [
                link for _, group in grouped for link in group if id(link.element) not in taken
            ]
            if len({link.url for link in links}) < 2:
                continue
            parent, first, branch, heading, says = group_heading(self, root)
            if parent is root.getparent():  # rows of one block: up to the last
                branch = max(parent.index(other) for other, _ in grouped)
            if heading and says != RELATED:
                continue  # "Most read", or a section's name: the heading decides
            if any(
                self._says(el)[1] for el in [root, *links[0].element.iterancestors()][:MAX_LEVELS]
            ):
                continue  # previous and next article
            blocks.append(Block(parent, first, branch, heading, links=links, how="learned"))
        return blocks

    def _add_sister_sites(self, block: Block) -> None:
        """Links of a related block to articles of the publisher's other sites
        (its network): another domain, but URLs shaped like the block's own
        links (the same CMS: ``/news/2019-10-some-story.html``), with a headline.
        Only a block with two headlines of its own site or more vouches for them."""
        own = [link for link in block.links if headline_like(link.text, 3)]
        if len({link.url for link in own}) < 2:
            return
        shapes = {path_shape(urlsplit(link.url).path) for link in own}
        known = {id(link.element) for link in block.links}
        added = False
        for node in block.nodes():
            for a in node.iter("a"):
                if id(a) in known:
                    continue
                href = (a.get("href") or "").split("#", 1)[0].strip()
                if not href.startswith(("http://", "https://")):
                    continue
                parts = urlsplit(href)
                host = (parts.hostname or "").lower()
                if registered_domain(host) in self.page.sites or not headline_like(text_of(a), 3):
                    continue
                if article_path(parts.path) == "sure" and path_shape(parts.path) in shapes:
                    url = article_key(href)
                    block.links.append(Link(a, url, text_of(a), href))
                    added = True
        if added:  # in page order again
            anchors = (a for node in block.nodes() for a in node.iter("a"))
            order = {id(a): index for index, a in enumerate(anchors)}
            block.links.sort(key=lambda link: order.get(id(link.element), 0))

    def _keep(self, block: Block) -> bool:
        """The rules on the whole block: a block found by its class alone (or by
        its class under a heading with no say) holds two related articles or
        more, unless a plugin made it; a generic "More stories" block counts
        at the end of the article, not in a sidebar (rule 3)."""
        if block.how != "heading" and not block.trusted and len(block.urls) < 2:
            return False
        if block.generic:
            return self._after_article(block)
        return True

    def _after_article(self, block: Block) -> bool:
        if not self.page.after_body(block.parent[block.first]):
            return False
        chain = [block.parent, *block.parent.iterancestors()]
        return not in_sidebar([(str(el.tag), class_names(el)) for el in chain])

    def _stop(self, parent: HtmlElement | None) -> bool:
        return parent is None or parent.tag in ("body", "html")

    def _decide(self, link: Link) -> tuple[Block, int] | None:
        """The block a teaser link belongs to (a new one: :meth:`blocks` merges
        them) and the index of its branch in the block's parent; None for any
        other link."""
        node = link.element
        path: list[HtmlElement] = [node]
        for _ in range(MAX_LEVELS):
            parent = node.getparent()
            if self._stop(parent):
                break
            assert parent is not None
            branch = parent.index(node)
            found = self.heading_before(parent, branch)
            if found is None and parent in self.around_body:
                break  # never above the story's own container: it holds everything
            if found is not None:
                first, heading, says = found
                around = [*path, parent]
                if any(self._says(el)[1] for el in around):
                    return None  # previous and next article: a pager, whatever its heading
                trusted = any(self._says(el)[2] for el in around)
                how = "heading"
                if says == NEUTRAL and (
                    trusted or any(self._says(el)[0] == RELATED for el in around)
                ):
                    says, how = RELATED, "neutral"  # "More" over a block of class "related"
                if says != RELATED:
                    return None
                generic = generic_heading(heading, self.page.site_words)
                block = Block(parent, first, first, heading, trusted=trusted, how=how)
                block.generic = generic
                return block, branch
            node = parent
            path.append(node)
        # no heading: what the containers' class and id say
        for el in path:
            says = self._says(el)[0]
            parent = el.getparent()
            if says == NEUTRAL or parent is None:
                continue
            if says != RELATED or el in self.around_body or el is self.page.body:
                return None
            if any(self._says(e)[1] for e in path):
                return None
            index = parent.index(el)
            trusted = self._says(el)[2]
            return Block(parent, index, index, "", trusted=trusted, how="class"), index
        return None

    def _under_plugin(self, el: HtmlElement) -> bool:
        for level, ancestor in enumerate(el.iterancestors()):
            if level > MAX_LEVELS:
                return False
            if self._says(ancestor)[2]:
                return True
        return False

    def _a_card(self, el: HtmlElement) -> bool:
        """Whether ``el`` links to a story (this very page, another site's, one
        whose link says too little to count): a card of the list, not its
        heading. A heading's own link leads to a section or a topic ("More on
        <a>Slate Book Review</a>")."""
        for a in el.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href[0] == "#":
                continue
            try:
                path = urlsplit(urljoin(self.page.base, href)).path
            except ValueError:
                continue
            if article_path(path) in ("sure", "maybe"):
                return True  # a story, of this site or another
        return False

    def _says(self, el: HtmlElement) -> tuple[str, bool, bool]:
        """What an element's class and id say: related or not, a pager, a plugin."""
        said = self._classes.get(el)
        if said is None:
            names = class_names(el)
            said = self._classes[el] = (
                classes_say(names),
                is_pager(names),
                bool(_PLUGIN.search(names)),
            )
        return said

    def heading_before(self, parent: HtmlElement, branch: int) -> tuple[int, str, str] | None:
        key = (parent, branch)
        if key not in self._headings:
            self._headings[key] = self._find_heading(parent, branch)
        return self._headings[key]

    def _find_heading(self, parent: HtmlElement, branch: int) -> tuple[int, str, str] | None:
        """The heading governing ``parent[branch]``: the nearest short text
        before it among its siblings, skipping earlier cards of the same list.
        Below the level where ``parent`` holds two candidate articles, a short
        text before a link is a card's kicker, and counts only when it says
        "related" (a one-teaser "Read next" block)."""
        many = len(self.under.get(parent, ())) >= 2
        for index in range(branch - 1, max(-1, branch - 1 - MAX_SIBLINGS), -1):
            sibling = parent[index]
            if not isinstance(sibling.tag, str) or sibling.tag in _SKIP:
                continue
            if sibling in self.under:
                continue  # an earlier card of the same list
            if (
                parent is self.page.body or parent in self.around_body
            ) and not self.page.after_body(sibling):
                return None  # the story itself comes before: no heading of this block here
            text = heading_text(sibling)
            if text is None:
                if len(text_of(sibling)) > MAX_HEADING:
                    return None  # a paragraph of text: no heading at this level
                continue  # an empty or decorative element (an ad slot, a rule)
            says = heading_says(text)
            card = (
                _same_kind(sibling, parent[branch]) and sibling.find(".//a") is not None
            ) or self._a_card(sibling)
            if (card and says != RELATED) or DECORATION.match(text) or decorative(sibling, text):
                continue  # an earlier card of the list, or a control between heading and list
            if says == NEUTRAL and generic_heading(text, self.page.site_words):
                says = RELATED  # "More Daily Planet": more of the site
            if many or says == RELATED:
                return index, text, says
            return None  # a card's kicker or category: the heading is further up
        return None


def read_also_paragraphs(page: PageLinks) -> list[HtmlElement]:
    """One-link "Read also: …" paragraphs inside the body: neither teasers nor
    body (rule 6), so they are cut before the body is extracted."""
    if page.body is None:
        return []
    found = []
    for p in page.body.iter("p", "div"):
        links = p.xpath(".//a[@href]")
        if len(links) != 1 or any(child.tag in ("p", "div") for child in p):
            continue
        text, linked = text_of(p), text_of(links[0])
        label = text.replace(linked, "", 1).strip()
        if linked and 0 < len(label) <= 40 and heading_says(label) == RELATED:
            found.append(p)
    return found
