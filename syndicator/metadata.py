"""An article's title, author and tags as a partner should show them.

Pages dress their metadata for their own site: ``<title>`` carries the site's
name ("Storm closes the bridge | The Daily Planet", "… | DW | 19.01.2020"),
bylines carry "By" and a role ("By Jane Roe, Staff Writer"), and tag metas
are one comma-joined string a partner's CMS cannot take as a term (WordPress
stops term names at 200 characters). These functions undo that, and only
that: a title is never cut where the cut part is not the site's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TAG = 200  # characters: WordPress's term names stop there
MAX_TAGS = 20  # per article: more is a keyword dump, not tags

# " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ": between a headline and
# the site's name (a hyphen only between spaces: "Covid-19" is one word)
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|/)\s+")
_DATE_PART = re.compile(r"^[\d\s./\-:]+$")  # "19.01.2020", "2020-01-19"
# "By", and "Analysis by", "Photos by": what comes before the name
_BYLINE = re.compile(
    r"^(?:[\w'-]+\s+){0,2}?(?:by|von|par|por|di|da|door|przez|av|af|от|автор:?)\s+",
    re.IGNORECASE,
)
# what follows a name in a byline: its role or its outlet
_ROLE = re.compile(r"\s*(?:[,|/(]|\s[-–—]\s).*$|\s+(?:is|was)\s+an?\s.*$", re.IGNORECASE)
_ROLE_WORDS = re.compile(
    r"\b(?:writer|reporter|editor|correspondent|columnist|contributor|photographer"
    r"|journalist|redakteur(?:in)?|korrespondent(?:in)?)s?\b",
    re.IGNORECASE,
)
# the words that qualify a role: "AP National Political Writer", "News reporter"
_QUALIFIER = re.compile(
    r"(?:(?:^|\s+)(?:news|staff|senior|chief|political|national|sports?|auto|business|security"
    r"|special|contributing|investigative|editorial|associate|managing|ap))+$",
    re.IGNORECASE,
)
# a date's words run into a byline: "Malcolm Owen Monday, November"
_CALENDAR = re.compile(
    r"(?:\s*\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february"
    r"|march|april|may|june|july|august|september|october|november|december)\b)+$",
    re.IGNORECASE,
)
# several names: commas, semicolons, "and" in a few languages ("y" and "e" only
# in lower case: "Sarah E Needleman" has a middle initial)
_SEVERAL = re.compile(r"\s*(?:[,;&]|\b(?i:and|und|et)\b|\s[ye]\s)\s*")
_RUN_TOGETHER = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ][a-zà-ÿ])")  # "Jane RoeJohn Doe"
_EMAIL = re.compile(r"\S+@\S+")
_OUTLET = re.compile(r"^[A-Z]{2,5}$")  # AP, CNN, AFP


def _key(text: str) -> str:
    """Letters and digits only, folded: "The Daily-Planet" and "dailyplanet.com"
    compare by what they spell."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = re.sub(r"\.(?:com|org|net|co|de|fr|it|es|uk|ru|in|br|jp|au|ca|info|news)\b", "", text)
    return "".join(ch for ch in text if ch.isalnum()).removeprefix("the")


def site_names(sitename: str | None, host: str | None) -> set[str]:
    """The spellings of a site's name a title may carry: its ``og:site_name``
    (or trafilatura's sitename) and its host's registered label."""
    names = {_key(sitename or "")}
    labels = [label for label in (host or "").lower().split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) >= 2:
        names.add(_key(labels[-2] if len(labels[-1]) > 2 or len(labels) == 2 else labels[-3]))
    names.discard("")
    return names


def _is_site(part: str, names: set[str]) -> bool:
    key = _key(part)
    if not key:
        return True  # a separator's leftovers
    return any(
        key == name or (len(name) >= 4 and name in key and len(key) <= len(name) + 8)
        for name in names
    )


def clean_title(title: str | None, names: set[str]) -> str | None:
    """``title`` without the site's name (and a date beside it) before or after
    its separator; a title that is nothing but the site's name stays as it is."""
    if not title:
        return title
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    kept = list(parts)
    while len(kept) > 1 and (_is_site(kept[-1], names) or _DATE_PART.match(kept[-1])):
        kept.pop()
    while len(kept) > 1 and _is_site(kept[0], names):
        kept.pop(0)
    if len(kept) == len(parts):
        return title
    # the separators inside the headline itself stay as they were
    start = title.index(kept[0])
    end = title.rindex(kept[-1]) + len(kept[-1])
    return title[start:end].strip() or title


def clean_author(author: str | None) -> str | None:
    """ "Jane Roe, John Doe" from "By Jane Roe and John Doe, Staff Writers" or
    "Jane RoeJohn Doe". A byline that names no person ("HNN Staff") stays as
    it is, without its "By"."""
    if not author:
        return None
    names: list[str] = []
    text = _BYLINE.sub("", " ".join(_EMAIL.sub(" ", author).split()))
    for part in _SEVERAL.split(text):
        part = _BYLINE.sub("", part.strip()).strip()
        part = _CALENDAR.sub("", _ROLE.sub("", part)).strip(" .:-–—")
        role = _ROLE_WORDS.search(part)
        if role:  # "Tom Gillespie News reporter": the name before the role
            part = _QUALIFIER.sub("", part[: role.start()].rstrip()).strip(" .:-–—")
        for name in _run_together(part):
            if any(ch.isalpha() for ch in name) and name.casefold() not in {
                n.casefold() for n in names
            }:
                names.append(name)
    if len(names) > 1:  # "Chris Cillizza, CNN": the outlet goes when a person is named
        names = [name for name in names if not _OUTLET.match(name)] or names
    return ", ".join(names) or (text.strip() or None)


def _run_together(text: str) -> list[str]:
    """ "Jane RoeJohn Doe" is two names; "Mary-Ann McDonald" and "DeShawn
    Smith" are one: split only where every piece is a name of two words."""
    pieces = _RUN_TOGETHER.split(text)
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return [piece.strip() for piece in pieces]
    return [text]


def clean_tags(values: Iterable[str]) -> list[str]:
    """Tags split on commas and semicolons, whitespace trimmed, the same tag
    once (first spelling kept), none longer than :data:`MAX_TAG`, at most
    :data:`MAX_TAGS`."""
    seen: dict[str, str] = {}
    for value in values:
        for tag in re.split(r"[,;]", str(value)):
            tag = " ".join(tag.split())
            if tag and len(tag) <= MAX_TAG and tag.casefold() not in seen:
                seen[tag.casefold()] = tag
    return list(seen.values())[:MAX_TAGS]
