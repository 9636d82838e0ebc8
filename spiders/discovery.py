"""Reading discovery documents: feeds, sitemaps and section pages.

Pure functions over a response body, so each can be tested alone and the
spider stays a thin layer of requests and callbacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import feedparser
from lxml import etree

from spiders import json_feed
from syndicator.dates import to_local_iso, to_utc_iso
from syndicator.urls import is_http_url, normalize_url


@dataclass
class Found:
    """A URL found in a discovery document, with what the document said of it."""

    url: str
    date: str | None = None  # the newest date the document gives (updated, lastmod, …)
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeedResult:
    entries: list[Found]
    problems: list[str]


def _entry_link(entry: Any) -> str | None:
    if entry.get("link"):
        return entry["link"]
    for link in entry.get("links") or []:
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return link["href"]
    guid = entry.get("id") or ""
    return guid if is_http_url(guid) else None


def read_feed(body: bytes, url: str, headers: dict[str, str]) -> FeedResult:
    """Entries of an RSS, Atom, RDF or JSON feed, and its problems as one-line
    texts. ``headers`` are the response's, with lower-case names."""
    if json_feed.looks_like_json_feed(body, headers.get("content-type", "")):
        data, problems = json_feed.parse(body)
        listed = json_feed.items(data)
    else:
        listed, problems = _xml_feed(body, url, headers)
    entries, no_link = [], 0
    for link, hints in listed:
        target = normalize_url(link, base=url) if link else None
        if not target or not is_http_url(target):
            no_link += 1
            continue
        # the newest date the feed gives, so a corrected article is fetched again
        dates = (hints.get("published_at"), hints.get("modified_at"))
        date = max(filter(None, dates), default=None)
        entries.append(Found(target, date, {k: v for k, v in hints.items() if v}))
    if no_link:
        problems.append(
            f"{no_link} feed entr{'y' if no_link == 1 else 'ies'} without a usable link"
        )
    if not listed and problems:
        problems.append("no entries could be read")
    return FeedResult(entries, problems)


def _xml_feed(
    body: bytes, url: str, headers: dict[str, str]
) -> tuple[list[tuple[str | None, dict[str, Any]]], list[str]]:
    """(link, hints) of each entry of an RSS, Atom or RDF feed (feedparser), and
    its problems."""
    parsed = feedparser.parse(BytesIO(body), response_headers={**headers, "content-location": url})
    problems = []
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problems.append(f"malformed feed: {' '.join(str(exc).split()) or type(exc).__name__}")
    language = (parsed.get("feed") or {}).get("language")
    listed = []
    for entry in parsed.get("entries", []):
        published = to_utc_iso(entry.get("published_parsed")) or to_utc_iso(entry.get("published"))
        # dict.get: feedparser's own get() maps a missing "updated" to "published"
        updated = to_utc_iso(dict.get(entry, "updated_parsed")) or to_utc_iso(
            dict.get(entry, "updated")
        )
        printed = entry.get("published") if published else dict.get(entry, "updated")
        hints = {
            "title": entry.get("title"),
            "author": entry.get("author"),
            "published_at": published or updated,
            "published_local": to_local_iso(printed),
            "modified_at": updated if updated and updated != published else None,
            "tags": [t.get("term") for t in entry.get("tags") or [] if t.get("term")],
            "language": language,
        }
        listed.append((_entry_link(entry), hints))
    return listed, problems


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class SitemapResult:
    is_index: bool
    entries: list[Found]
    problems: list[str]


def read_sitemap(body: bytes, url: str, max_entries: int = 50_000) -> SitemapResult:
    """Entries of a sitemap or sitemap index, including Google News sitemaps.

    Parsed incrementally with the element tree cleared as it goes, so a huge
    sitemap costs time, not memory; at most ``max_entries`` are read (the
    sitemap protocol's own limit).
    """
    entries: list[Found] = []
    problems: list[str] = []
    is_index, no_loc = False, 0
    parser = etree.iterparse(
        BytesIO(body),
        events=("end",),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        for _, elem in parser:
            name = _local(elem.tag)
            if name not in ("url", "sitemap"):
                continue
            is_index = is_index or name == "sitemap"
            found = _sitemap_entry(elem, url)
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]
            if found:
                entries.append(found)
            else:
                no_loc += 1
            if len(entries) >= max_entries:
                problems.append(f"sitemap has more than {max_entries} entries; read the first ones")
                break
    except etree.XMLSyntaxError as exc:
        problems.append(f"malformed sitemap: {exc}")
    # recover=True reads past broken markup, but a resource limit (nesting deeper
    # than 256, a huge text node) ends the reading without an exception
    for error in parser.error_log.filter_types(etree.ErrorTypes.ERR_RESOURCE_LIMIT)[:1]:
        what = "nested too deep" if "depth" in error.message else error.message.split(",")[0]
        problems.append(
            f"malformed sitemap: {what} (line {error.line}); read the entries before it"
        )
    if no_loc:
        problems.append(
            f"{no_loc} sitemap entr{'y' if no_loc == 1 else 'ies'} without a usable <loc>"
        )
    if not entries and not problems:
        problems.append("sitemap has no <url> or <sitemap> entries")
    return SitemapResult(is_index, entries, problems)


def by_need(listed: list[Found], fetched_at: Mapping[str, str | None]) -> list[Found]:
    """Sitemaps in the order to fetch them when not all may be (a source's
    ``max_sitemaps_per_run``): first those never fetched or changed since
    (their ``lastmod`` newer than the last fetch), newest first; then the
    others, the longest unfetched first, so that sitemaps without a
    ``lastmod`` take turns."""
    changed, seen = [], []
    for found in listed:
        last = fetched_at.get(found.url)
        if last is None or (found.date or "") > last:
            changed.append(found)
        else:
            seen.append((last, found))
    changed.sort(key=lambda found: found.date or "", reverse=True)  # undated last, in order
    seen.sort(key=lambda pair: pair[0])
    return changed + [found for _, found in seen]


def _sitemap_entry(elem: Any, base: str) -> Found | None:
    loc, dates, hints = None, [], {}
    for child in elem.iter():
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name == "loc" and loc is None:
            loc = text
        elif name == "lastmod":
            dates.append(to_utc_iso(text))
        elif name == "publication_date":
            hints["published_at"] = to_utc_iso(text)
            hints["published_local"] = to_local_iso(text)
            dates.append(hints["published_at"])
        elif name == "title" and text:
            hints["title"] = text
        elif name == "language" and text:
            hints["language"] = text
        elif name == "keywords" and text:
            hints["tags"] = [k.strip() for k in text.split(",") if k.strip()]
    if not loc:
        return None
    url = normalize_url(loc, base=base)
    if not is_http_url(url):
        return None
    return Found(url, max(filter(None, dates), default=None), {k: v for k, v in hints.items() if v})


def section_links(links: Iterator[tuple[str, str]], page_url: str, pattern: str) -> list[Found]:
    """Article links of a section page: same site, matching the source's pattern.

    ``links`` are (href, rel) pairs in page order.
    """
    article = re.compile(pattern)
    page_host = normalize_url(page_url).split("/")[2]
    seen: dict[str, Found] = {}
    for href, _rel in links:
        url = normalize_url(href, base=page_url)
        if not is_http_url(url) or url.split("/")[2] != page_host:
            continue
        if article.search(url) and url not in seen:
            seen[url] = Found(url)
    return list(seen.values())
