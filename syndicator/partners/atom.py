"""Atom partners: a feed file of the newest articles that the partner pulls.

The file is written to a temporary name beside the target and renamed over
it, so a reader never sees half a feed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from syndicator import __version__
from syndicator.config import AtomPartner
from syndicator.partners import article_excerpt


def entry_id(article_id: str) -> str:
    return f"urn:syndicator:article:{article_id}"


def write_feed(
    partner: AtomPartner, path: Path, articles: list[dict[str, Any]], publisher: str
) -> None:
    """Write the feed of ``articles`` (newest first) to ``path``, atomically."""
    feed = FeedGenerator()
    feed.id(f"urn:syndicator:partner:{partner.name}")
    feed.title(partner.title or f"{publisher}: articles for {partner.name}")
    feed.author({"name": publisher})
    feed.generator("syndicator", __version__)
    if partner.feed_url:
        feed.link(href=partner.feed_url, rel="self")
    newest = max((a.get("changed_at") or a["first_seen_at"] for a in articles), default=None)
    feed.updated(newest or "1970-01-01T00:00:00+00:00")
    for article in reversed(articles):  # feedgen puts each new entry first
        entry = feed.add_entry()
        entry.id(entry_id(article["id"]))
        entry.title(article.get("title") or article["url"])
        entry.link(href=article["url"], rel="alternate")
        if article.get("author"):
            entry.author({"name": article["author"]})
        if article.get("published_at"):
            entry.published(article["published_at"])
        entry.updated(article.get("changed_at") or article["first_seen_at"])
        entry.summary(article_excerpt(article))
        entry.content(article["republish_html"], type="html")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(feed.atom_str(pretty=True))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
