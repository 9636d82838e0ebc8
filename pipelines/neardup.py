"""Copies: the same story already stored under another URL, with the same body
(content hash) or nearly (see :mod:`syndicator.neardup`). The copy is stored
too, linked to the canonical one with ``duplicate_of``, and never republished."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.crawler import Crawler

from syndicator.config import Dedup
from syndicator.items import ArticleItem
from syndicator.neardup import (
    EXACT_COPY,
    MAX_BUCKET,
    MAX_CANDIDATES,
    compare,
    fingerprints,
    is_truncated_copy,
)
from syndicator.scrapy_settings import config_from_settings, store_for
from syndicator.store import Store

# what deciding between two copies reads of the stored one (not its bodies)
COMPARED = ("id", "source", "content_hash", "duplicate_of", "published_at")


class NearDupPipeline:
    def __init__(self, store: Store, settings: Dedup) -> None:
        self.store = store
        self.settings = settings
        self.rank = {name: i for i, name in enumerate(settings.prefer)}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NearDupPipeline:
        return cls(store_for(crawler), config_from_settings(crawler.settings).dedup)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.state not in ("new", "updated"):
            return item
        if item.fingerprints is None:  # not an extracted page (a retried fetch, a test)
            item.fingerprints = sorted(fingerprints(item.body_text))
        if item.state != "new":
            return item
        for candidate_id in self._candidates(item):
            stored = self.store.article(candidate_id, COMPARED)
            if stored is None:
                continue
            if stored["content_hash"] == item.content_hash:
                similarity = EXACT_COPY
            else:  # only now is the stored body needed
                body = (self.store.article(candidate_id, ("body_text",)) or {}).get("body_text")
                similarity = compare(item.body_text, body or "")
            if not similarity.same_story(self.settings.threshold, self.settings.containment):
                continue
            canonical_id = stored["duplicate_of"] or stored["id"]
            canonical = (
                stored
                if canonical_id == stored["id"]
                else self.store.article(canonical_id, COMPARED)
            )
            item.similarity = round(similarity.score, 3)
            if self._new_copy_wins(item, canonical or stored, similarity) and not (
                self.store.delivered_anywhere(canonical_id)
            ):
                item.replaces = canonical_id
            else:
                item.duplicate_of = canonical_id
            break
        return item

    def _candidates(self, item: ArticleItem) -> Iterator[str]:
        """A stored article with the same body first: when there is one, it is
        the match, and the fingerprint index is not asked at all."""
        twin = self.store.article_with_hash(item.content_hash, other_than=item.id)
        if twin:
            yield twin["id"]
        yield from self.store.near_candidates(
            set(item.fingerprints), item.id, MAX_BUCKET, MAX_CANDIDATES
        )

    def _new_copy_wins(self, item: ArticleItem, stored: dict[str, Any], similarity: Any) -> bool:
        """Which copy is canonical: a full one over a cut-down one, then the
        preferred source, then the earliest published."""
        if is_truncated_copy(similarity, self.settings.threshold):
            return similarity.shorter == "stored"
        last = len(self.rank)
        mine, theirs = self.rank.get(item.source, last), self.rank.get(stored["source"], last)
        if mine != theirs:
            return mine < theirs
        return bool(
            item.published_at
            and stored.get("published_at")
            and item.published_at < stored["published_at"]
        )
