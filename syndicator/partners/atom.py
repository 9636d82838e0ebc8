"""Atom partners: a feed file of the newest articles that the partner pulls.

A withdrawn article's entry is replaced by a tombstone, RFC 6721's
``at:deleted-entry`` with the entry's id, when, and the reason as its
comment, so a reader that copied the entry learns to take it down.

The file is written to a temporary name beside the target and renamed over
it, so a reader never sees half a feed. An article that cannot be an entry
(text XML cannot hold, in a store written before such text was cleaned on the
way in) is left out, and said so, instead of costing every other its entry.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree

from syndicator import __version__
from syndicator.config import AtomPartner
from syndicator.dates import in_future
from syndicator.partners import article_excerpt

TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def entry_id(article_id: str) -> str:
    return f"urn:syndicator:article:{article_id}"


def write_feed(
    partner: AtomPartner,
    path: Path,
    articles: list[dict[str, Any]],
    publisher: str,
    tombstones: Sequence[dict[str, Any]] = (),
) -> dict[str, str]:
    """Write the feed of ``articles`` (newest first) and of the ``tombstones``
    of withdrawn ones to ``path``, atomically. Returns the articles left out,
    by id, with why."""
    feed = FeedGenerator()
    feed.id(f"urn:syndicator:partner:{partner.name}")
    feed.title(partner.title or f"{publisher}: articles for {partner.name}")
    feed.author({"name": publisher})
    feed.generator("syndicator", __version__)
    if partner.feed_url:
        feed.link(href=partner.feed_url, rel="self")
    left_out: dict[str, str] = {}
    written = []
    for article in reversed(articles):  # feedgen puts each new entry first
        entry = feed.add_entry()
        try:
            _fill(entry, article)
            entry.atom_entry()  # builds the entry's XML: what XML cannot hold fails here
        except ValueError as exc:
            feed.remove_entry(entry)
            left_out[article["id"]] = f"it cannot be an Atom entry ({exc})"
            continue
        written.append(article)
    newest = max((a.get("changed_at") or a["first_seen_at"] for a in written), default=None)
    feed.updated(newest or "1970-01-01T00:00:00+00:00")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_with_tombstones(feed.atom_str(pretty=True), tombstones))
            out.flush()
            # mkstemp makes it 0600; the web server that serves the feed to the
            # partner must read it: the mode any new file of this user gets
            os.fchmod(out.fileno(), 0o666 & ~_umask())
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return left_out


def _with_tombstones(atom: bytes, tombstones: Sequence[dict[str, Any]]) -> bytes:
    """The feed with an ``at:deleted-entry`` per withdrawn article (RFC 6721)."""
    if not tombstones:
        return atom
    root = etree.fromstring(atom)
    feed = etree.Element(root.tag, nsmap={**root.nsmap, "at": TOMBSTONES}, attrib=root.attrib)
    feed.text = root.text
    feed.extend(list(root))
    for stone in tombstones:
        deleted = etree.SubElement(
            feed,
            f"{{{TOMBSTONES}}}deleted-entry",
            ref=entry_id(stone["id"]),
            when=stone["withdrawn_at"],
        )
        if stone.get("withdrawn_reason"):
            comment = etree.SubElement(deleted, f"{{{TOMBSTONES}}}comment")
            comment.text = stone["withdrawn_reason"]
    etree.indent(feed, space="  ")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask sets it: put it back at once
    os.umask(mask)
    return mask


def _fill(entry: Any, article: dict[str, Any]) -> None:
    entry.id(entry_id(article["id"]))
    entry.title(article.get("title") or article["url"])
    entry.link(href=article["url"], rel="alternate")
    if article.get("author"):
        entry.author({"name": article["author"]})
    # a date in the future (a store from before they were clamped) is no publication date
    if article.get("published_at") and not in_future(article["published_at"]):
        entry.published(article["published_at"])
    entry.updated(article.get("changed_at") or article["first_seen_at"])
    entry.summary(article_excerpt(article))
    entry.content(article["republish_html"], type="html")
