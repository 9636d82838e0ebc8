"""Where each source's related-story block sits, learned from its pages.

A page alone says little when its block has no heading and its classes say
nothing ("c-list-3"). A syndicator sees many pages of each source, and their
template says more: menus and "most read" lists hold the same links on every
page fetched at one time, while the related-story block sits at the same place
with links that change from story to story.

So every page's groups of links to other stories (a list, a row of cards:
the nearest container of two candidate links or more, outside the body) are
*observed*: their **place** (:func:`place_of`: the container's tag, class and
id, and those of three containers around it, without the numbers that tell
one page's markup from the next), their links, their heading, whether the
heading-based detector took them. The store tallies what each source's
pages said of each place, and learns from the tally
(:mod:`syndicator.teaser_learning`).

On the next pages of the source a group at a learned place is a block even
where the detector would hesitate (no heading, neutral classes), unless its
heading there says anything but "related" (rule 5 of the labels: the heading
decides). A source's own selectors still come first; ``learn = false`` in
its ``[sources.teasers]`` turns learning off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lxml.html import HtmlElement

from syndicator.teaser_page import Link, class_names
from syndicator.teaser_words import in_sidebar

if TYPE_CHECKING:
    from syndicator.teaser_blocks import Block, Detector

PLACE_DEPTH = 4  # the group's container and three around it
MAX_GROUPS = 30  # groups observed per page: a page of a hundred lists says no more
MAX_URLS = 12  # links kept per group, to tell one page's group from the next


def _token(el: HtmlElement) -> str:
    """``div.related.widget`` or ``section#more``: an element's tag, id and
    classes, without what differs from page to page (a class or id holding a
    number: ``post-1234``, ``tab-3``)."""
    words = {c.rstrip("-_") for c in (el.get("class") or "").split()}
    classes = sorted(w for w in words if w and not any(ch.isdigit() for ch in w))[:6]
    ident = (el.get("id") or "").strip()
    if not ident or any(ch.isdigit() for ch in ident) or len(ident) > 40:
        ident = ""
    return str(el.tag) + (f"#{ident}" if ident else "") + "".join(f".{c}" for c in classes)


def place_of(el: HtmlElement) -> str:
    """Where ``el`` sits in its page's template: its token and those of the
    containers around it, innermost first (``ul.list < div.related < footer``)."""
    parts: list[str] = []
    node: HtmlElement | None = el
    while node is not None and len(parts) < PLACE_DEPTH and node.tag not in ("body", "html"):
        parts.append(_token(node))
        node = node.getparent()
    return " < ".join(parts)


def _named(place: str) -> bool:
    """A place with a class or id somewhere: ``div < div < div`` fits any page."""
    return "." in place or "#" in place


def groups(detector: Detector) -> dict[HtmlElement, list[Link]]:
    """Each group of the page's candidate story links (the nearest container of
    two or more, below the containers around the body) and its links, in page
    order."""
    page, under = detector.page, detector.under
    found: dict[HtmlElement, list[Link]] = {}
    for link in detector.links:
        if not link.article:
            continue
        for anc in link.element.iterancestors():
            if anc in page.around_body or anc is page.body or anc.tag in ("body", "html"):
                break
            if len(under.get(anc, ())) >= 2:
                found.setdefault(anc, []).append(link)
                break
        if len(found) > MAX_GROUPS:
            break
    return found


def group_heading(detector: Detector, root: HtmlElement) -> tuple[HtmlElement, int, int, str, str]:
    """The heading right before a group, at its level or the next one up:
    the container holding both, the heading's index and the group's branch
    there, its text and what it says. With no heading: the group's own
    parent and index, and empty text."""
    node = root
    for _ in range(2):
        parent = node.getparent()
        if parent is None or parent in detector.page.around_body or parent.tag in ("body", "html"):
            break
        branch = parent.index(node)
        found = detector.heading_before(parent, branch)
        if found is not None:
            return parent, found[0], branch, found[1], found[2]
        node = parent
    parent = root.getparent()
    index = parent.index(root) if parent is not None else 0
    return parent, index, index, "", ""


def by_place(detector: Detector) -> dict[str, list[tuple[HtmlElement, list[Link]]]]:
    """The page's groups of story links at each named place, in page order."""
    found: dict[str, list[tuple[HtmlElement, list[Link]]]] = {}
    for root, links in detector.groups().items():
        place = place_of(root)
        if _named(place):
            found.setdefault(place, []).append((root, links))
    return found


def one_block(grouped: list[tuple[HtmlElement, list[Link]]]) -> bool:
    """Whether the groups at one place are one block (a list, or rows of cards
    side by side), not lists scattered over the page."""
    parents = {id(root.getparent()) for root, _ in grouped}
    return len(parents) == 1


def observe(detector: Detector, kept: Iterable[Block]) -> list[dict[str, Any]]:
    """What this page says of each place holding a group of story links.

    A place is *confirmed* when the heading-based detector took every group
    there (a block found at a learned place would confirm itself, and never
    be judged by its links again; the same URL elsewhere on the page, in a
    "most read" list, confirms nothing), and *mixed* when it took some and
    not others: such a place cannot tell the block from the rest."""
    taken = {id(link.element) for block in kept if block.how != "learned" for link in block.links}
    observed = []
    for place, grouped in detector.places().items():
        took = [any(id(link.element) in taken for link in links) for _, links in grouped]
        root = grouped[0][0]
        _, _, _, heading, says = group_heading(detector, root)
        chain = [(str(el.tag), class_names(el)) for el in [root, *root.iterancestors()]]
        urls = list(dict.fromkeys(link.url for _, links in grouped for link in links))
        observed.append(
            {
                "site": detector.page.site,
                "place": place,
                "urls": urls[:MAX_URLS],
                "heading": heading,
                "says": says,
                "confirmed": all(took) and one_block(grouped),
                "mixed": any(took) and not (all(took) and one_block(grouped)),
                "after": detector.page.after_body(root) and not in_sidebar(chain),
            }
        )
    return observed
