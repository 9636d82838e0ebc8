"""Cut from an extracted body what is the page's, not the story's.

trafilatura keeps what sits inside the article's container, and news sites put
more there than the story: the headline and its standfirst (dek) above it, a
byline or a date line, "Order Reprints / Print Article", "This copy is for your
personal, non-commercial use only", newsletter and follow-us prompts, "Read
more:" pointers, copyright and "Citation: … retrieved … from" lines. A partner
shows its own headline and byline, and the attribution says where the story
comes from, so all of these would appear twice or advertise the source's
services on the partner's site.

Two kinds of cut, on the body's XML tree (``p``, ``head``, ``list``/``item``):

- at the top only, the header's repetitions: a headline (the page's ``h1``, its
  titles), a dek (a heading in the page's header block, or one that is the
  page's description), a byline, a date or reading-time line; the cutting stops
  at the first element that is none of these;
- anywhere, short lines that are site furniture by their wording, in the
  languages a phrase list covers. A long paragraph is never cut: the phrases are
  looked for only in lines of a few words.

A page that is all furniture (a gallery's author box and sign-up form) is left
with no body, and is dropped for it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from syndicator.teaser_page import PageLinks, registered_domain
from syndicator.teaser_page import strip as strip_url

_WORD = re.compile(r"\w+", re.UNICODE)

# Site furniture, whole line: what a short line says when it is a button's or a
# widget's text, not the story's.
_FURNITURE_LINE = re.compile(
    r"^(?:order reprints?|reprints?(?: & permissions| and permissions)?|print(?: this)?"
    r"(?: article| story| page)?|share(?: this)?(?: article| story| page)?|e-?mail(?: this)?"
    r"(?: article| story)?|tweet|comments?|\d+ comments?|advertisement|anzeige|publicidad"
    r"|publicité|pubblicità|explore further|thanks for signing up!?|sorry!?|don'?t miss"
    r"|most (?:read|popular|viewed)(?: in [\w\s]+)?|related(?: articles| stories| news)?:?"
    r"|more:|see (?:more|also):?|read (?:more|also|next):?|tags?:?|tagged:?)$",
    re.IGNORECASE,
)
# A pointer to another story: "Read more: …", "SEE MORE: …", "(Leggi anche: …)"
_POINTER = re.compile(
    r"^[(\[]?\s*(?:read (?:more|also|next)|also read|see (?:more|also)|more|related"
    r"|leggi anche(?: su)?|lesen sie (?:auch|mehr)|mehr zum thema|siehe auch|lire aussi"
    r"|à lire aussi|voir aussi|lea también|lee también|ver también|leia também|veja também"
    r"|leia mais|saiba mais|czytaj (?:też|także)|читайте также)\s*[:：]",
    re.IGNORECASE,
)
# a sign-up widget's own lines: "Pick Six Newsletter", "Keep an eye on your inbox",
# "Unsubscribe at any time", and an author box's "View all posts by Jane Roe"
_WIDGET = re.compile(
    r"\b(?:newsletters?|inbox|unsubscribe)\b|^(?:an error has occurred|there was an error"
    r"|something went wrong)\b|^(?:view|see|read|more) (?:all|more) (?:posts|articles|stories)\b",
    re.IGNORECASE,
)
_INBOX = re.compile(r"\b(?:in|to|into) your inbox\b", re.IGNORECASE)
_REPRINT = re.compile(r"for your personal,? non-?commercial use only", re.IGNORECASE)
_CITATION = re.compile(r"^citation:.*\bretrieved\b.*\bfrom\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|ⓒ|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_SUBSCRIBE = re.compile(
    r"\b(?:subscrib\w*|sign(?:ing)?[ -]up|inscreva|abonnieren|abonnez|inscrivez|suscr[íi]b\w*"
    r"|iscriviti)\b",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(r"\b(?:newsletters?|inbox|e-?mail alerts?|boletín)\b", re.IGNORECASE)
_FOLLOW = re.compile(r"^follow\b|\bfollow (?:us|him|her|them|me)\b", re.IGNORECASE)
_SOCIAL = re.compile(r"\b(?:twitter|facebook|instagram|youtube|linkedin|tiktok)\b|@\w", re.I)
_CLICK_HERE = re.compile(
    r"\bclick(?:ing)? here\b|\bclique aqui\b|\bklicken sie hier\b|\bcliquez ici\b"
    r"|\bhaga clic aquí\b|\bclicca qui\b",
    re.IGNORECASE,
)
_SHARE_PROMPT = re.compile(r"\bshare (?:it|this)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# "Write to Jane Roe at jane@…", "Have a tip? … may be reached at …": the
# source's contact line; a columnist's signature with an address is kept
_CONTACT = re.compile(
    r"^(?:write to|e-?mail|contact|reach|send|have a tip|tips?\b|questions?\b)"
    r"|\b(?:may|can) be reached\b|\breach (?:him|her|them|us|me)\b",
    re.IGNORECASE,
)
_URL_ONLY = re.compile(r"^(?:https?:)?//(\S+)$")

# A date or reading-time line above the story: "UPDATED: Tue., Nov. 19, 2019",
# "5:45 AM PST 11/19/2019 by Jane Roe", "Tempo de leitura: 2 minutos".
_DATE_MARK = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_DATE_WORDS_TEXT = """
    updated update published posted last modified on at by am pm
    gmt utc est edt cst cdt mst mdt pst pdt cet cest bst ist jst aest
    de del às a le la um am den el il di h hrs min
    jan feb mar apr jun jul aug sep sept oct nov dec january february march april may june july
    august september october november december mon tue tues wed thu thur thurs fri sat sun
    monday tuesday wednesday thursday friday saturday sunday"""
_DATE_WORDS = frozenset(_DATE_WORDS_TEXT.split())
_READING_TIME = re.compile(
    r"\b\d+\s*(?:min|mins|minutes?|minutos?|minuten|minuti)\b.{0,12}\b(?:read|leitura|lesezeit"
    r"|lecture|lectura|lettura)\b|\b(?:reading time|tempo de leitura|lesezeit|temps de lecture"
    r"|tiempo de lectura|tempo di lettura)\b",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s", re.IGNORECASE)

_AUTHOR_BOX = frozenset(
    {
        "about the author",
        "about the authors",
        "sobre o autor",
        "sobre el autor",
        "über den autor",
        "à propos de l auteur",
        "sull autore",
    }
)
_SHORT = 40  # words: a line longer than this is prose, never furniture
_TOP_ZONE = 8  # elements: the header's repetitions come before the story
_SITE_NAME_WORDS = 4  # "| The Daily Planet", "- Hollywood Reporter"
_LINK_WORDS = 4  # a link of fewer words is a name or a phrase, not a headline
_HEADER_PARAGRAPHS = 4  # a dek, a byline, a date line, a credit


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def line_key(text: str | None) -> str:
    """A line as it is compared: its words, folded ("Order Reprints" and
    "ORDER REPRINTS:" are one line)."""
    return " ".join(words(text or ""))


@dataclass(frozen=True)
class PageHeader:
    """What the page shows above its story, as compared keys (folded words)."""

    titles: frozenset[str]
    description: str
    header_lines: frozenset[str]  # subheads and short lines of the header block
    author: str
    sites: frozenset[str]  # the page's site's registered domains
    links: frozenset[str] = frozenset()  # texts of the page's links of a few words
    learned: frozenset[str] = frozenset()  # the source's boilerplate (syndicator.boilerplate)

    @classmethod
    def read(
        cls,
        tree: HtmlElement,
        url: str,
        title: str | None,
        description: str | None,
        author: str | None,
        page: PageLinks | None = None,
        learned: frozenset[str] = frozenset(),
    ) -> PageHeader:
        titles = {line_key(title)}
        for xpath in (
            "//meta[@property='og:title']/@content",
            "//meta[@name='twitter:title']/@content",
            "//title/text()",
        ):
            titles.update(line_key(str(value)) for value in tree.xpath(xpath))
        header_lines: set[str] = set()
        blocks = list(tree.iter("header"))
        for h1 in tree.iter("h1"):
            titles.add(line_key(h1.text_content()))
            if h1.getparent() is not None:  # the h1's block: its dek, byline, date
                blocks.append(h1.getparent())
        for block in blocks:
            # a block of many paragraphs holds the story too, and its lead is no dek
            if sum(1 for _ in block.iter("p")) <= _HEADER_PARAGRAPHS:
                header_lines.update(_short_lines(block))
        titles.discard("")
        page = page or PageLinks(tree, url)
        links = set()
        for a in tree.iter("a"):
            target = page.resolve(a.get("href") or "")
            if target and target[1] == "sure" and strip_url(target[0]) not in page.own:
                links.add(line_key(a.text_content()))
        return cls(
            frozenset(titles),
            line_key(description),
            frozenset(header_lines),
            line_key(author),
            frozenset(page.sites),
            frozenset(key for key in links if len(key.split()) >= _LINK_WORDS),
            learned,
        )

    @property
    def author_box(self) -> frozenset[str]:
        """An author box's heading, as keys: "About Jane Roe", "About the author"."""
        return _AUTHOR_BOX | ({f"about {self.author}"} if self.author else set())

    def is_aside(self, line: str) -> bool:
        """Whether a line of the body is the site's furniture, a lone link, an
        author box's heading, or a line the source repeats on its articles."""
        key = line_key(line)
        if key in self.learned or key in self.author_box or self.is_link(key):
            return True
        return is_furniture(line, self.sites)

    def is_link(self, key: str) -> bool:
        """Whether a line is one of the page's links, alone: another story's
        headline (and its summary) standing in the body as a promotion."""
        return key in self.links

    def is_headline(self, key: str) -> bool:
        if key in self.titles:
            return True
        n = len(key.split())
        for title in self.titles:
            size = len(title.split())
            if size < 3:  # a menu's "News" heading: no headline to measure by
                continue
            # the title with the site's name, or the headline without it (a
            # lead run into the headline is no site's name: it stays)
            if key.startswith(title) or key.endswith(title):
                if n - size <= _SITE_NAME_WORDS:
                    return True
            elif title.startswith(key) and n >= 3 and n >= 0.6 * size:
                return True
        return False


ANY_SITE = "*"  # a pinned line that holds on every site of its source


def site_of(url: str) -> str:
    """The site a page's repeated lines are counted for: its host's registered
    domain (syndicator.boilerplate)."""
    return registered_domain((urlsplit(url).hostname or "").lower())


def for_site(learned: Mapping[str, Iterable[str]] | None, url: str) -> frozenset[str]:
    """The learned lines, by site, that hold for a page."""
    if not learned:
        return frozenset()
    return frozenset([*learned.get(site_of(url), ()), *learned.get(ANY_SITE, ())])


def _short_lines(block: HtmlElement) -> Iterable[str]:
    for el in block.iter("h2", "h3", "h4", "h5", "h6", "p"):
        key = line_key(el.text_content())
        if key and len(key.split()) <= 60:
            yield key


def is_furniture(text: str, sites: Collection[str] = ()) -> bool:
    """Whether a line is the site's furniture by its wording alone; ``sites``
    are the page's site's registered domains."""
    line = " ".join(text.split())
    n = len(words(line))
    if not line or n > _SHORT:
        return False
    if _FURNITURE_LINE.match(line) or _POINTER.match(line):
        return True
    url = _URL_ONLY.match(line)
    if url:  # the page's own address printed under it; a link elsewhere is a source
        host = url.group(1).split("/", 1)[0].split(":", 1)[0].casefold()
        return registered_domain(host) in sites
    if _REPRINT.search(line) or _CITATION.match(line):
        return True
    if n <= 25 and _COPYRIGHT.search(line):
        return True
    if n <= 12 and _WIDGET.search(line):
        return True
    if n <= 35 and _INBOX.search(line):
        return True
    if n <= 35 and _SUBSCRIBE.search(line) and _NEWSLETTER.search(line):
        return True
    if n <= 35 and _FOLLOW.search(line) and _SOCIAL.search(line):
        return True
    if n <= 25 and _CLICK_HERE.search(line):
        return True
    if n <= 12 and _SHARE_PROMPT.search(line):
        return True
    return n <= 25 and bool(_CONTACT.search(line)) and bool(_EMAIL.search(line) or "http" in line)


def _is_date_line(line: str, key: str, author: str) -> bool:
    tokens = key.split()
    if not tokens or len(tokens) > 14:
        return False
    if _READING_TIME.search(line):
        return True
    if author and (key == author or (_BY.match(line) and author in key)):
        return True
    if _BY.match(line) and len(tokens) <= 8:
        return True
    if not _DATE_MARK.search(line):
        return False
    rest = [t for t in tokens if not t.isdigit() and t not in _DATE_WORDS]
    return len(rest) <= 4


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _top_cut(el: etree._Element, header: PageHeader, seen_headline: bool) -> str | None:
    """Why a top element repeats the header, or None if the story starts here."""
    line = _text(el)
    key = line_key(line)
    if not key:
        return "empty"
    if (el.tag == "head" and el.get("rend") == "h1") or header.is_headline(key):
        return "headline"
    if key == header.description and (el.tag == "head" or key in header.header_lines):
        return "dek"
    if seen_headline and el.tag == "head" and key in header.header_lines:
        return "dek"
    if _is_date_line(line, key, header.author) and (key in header.header_lines or seen_headline):
        return "byline or date"
    if el.tag == "list" and all(header.is_aside(_text(i)) for i in el.iter("item")):
        return "furniture"
    if header.is_aside(line):
        return "furniture"
    return None


def trim_body(body: etree._Element, header: PageHeader) -> list[str]:
    """Remove the header's repetitions at the top of ``body`` and furniture lines
    anywhere in it; return the texts cut, in order. ``body`` is trafilatura's
    XML body, changed in place."""
    children = list(body)
    if not children:
        return []
    doomed: list[etree._Element] = []
    seen_headline = False
    top = 0
    for el in children[:_TOP_ZONE]:
        why = _top_cut(el, header, seen_headline)
        if why is None:
            break
        top += 1
        if why != "empty":  # an image: kept, and the header may go on below it
            seen_headline = seen_headline or why == "headline"
            doomed.append(el)
    in_author_box = False  # under an author box's "About Jane Roe"
    for el in children[top:]:
        if el.tag == "head":
            in_author_box = line_key(_text(el)) in header.author_box
        if el.tag == "list":
            items = [i for i in el.iter("item") if header.is_aside(_text(i))]
            if items and len(items) == sum(1 for _ in el.iter("item")):
                doomed.append(el)
            else:
                doomed.extend(items)
        elif el.tag in ("p", "head", "quote") and (
            header.is_aside(_text(el)) or (in_author_box and len(words(_text(el))) <= _SHORT)
        ):
            doomed.append(el)
        # loose text after an element ("View all posts by …" after a bio) is
        # the story's unless it is furniture too
        if el.tail and header.is_aside(el.tail):
            el.tail = None
    doomed += _widget_headings(children[top:], doomed)
    cut = []
    for el in doomed:
        text = _text(el)
        if text:
            cut.append(text)
        _remove(el)
    return cut


def _widget_headings(
    children: list[etree._Element], doomed: list[etree._Element]
) -> list[etree._Element]:
    """Headings all of whose section is being cut: a sign-up box's "Get the
    morning briefing" above its prompt, a tools bar's title."""
    gone = {id(el) for el in doomed}
    headings = []
    for n, el in enumerate(children):
        if el.tag != "head" or id(el) in gone or len(words(_text(el))) > 8:
            continue
        section = []
        for follower in children[n + 1 :]:
            if follower.tag == "head":
                break
            section.append(follower)
        if section and all(id(f) in gone for f in section):
            headings.append(el)
    return headings


def _remove(el: etree._Element) -> None:
    """Remove an element and keep its tail text, as lxml's drop_tree does."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
    if parent.tag == "list" and not len(parent) and parent.getparent() is not None:
        _remove(parent)
