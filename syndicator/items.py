"""The item that flows from the spider through the pipelines into the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """One fetched article page and what was extracted from it.

    ``fetch_error`` and ``problem`` carry why a page could not be used; the
    validate pipeline turns them into a recorded drop.
    """

    url: str
    source: str
    request_url: str = ""
    status: int | None = None
    content_type: str = ""
    fetch_error: str | None = None
    fetch_reason: str = "fetch_failed"
    problem: str | None = None
    discovered_via: str = ""
    discovered_at: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    # extracted
    title: str | None = None
    author: str | None = None
    description: str | None = None
    sitename: str | None = None
    canonical_url: str | None = None
    published_at: str | None = None
    # the same moment as the source printed it, with its offset (ISO-8601);
    # None when the source named no offset
    published_local: str | None = None
    modified_at: str | None = None
    date: str | None = None
    language: str | None = None
    image_url: str | None = None
    og_type: str = ""
    tags: list[str] = field(default_factory=list)
    page_tags: list[str] = field(default_factory=list)
    body_html: str = ""
    body_text: str = ""
    teasers: list[dict[str, Any]] = field(default_factory=list)
    # what the page said of the places of its template holding story links, for
    # its source's learning (syndicator.teaser_places); tallied by the store pipeline
    teaser_places: list[dict[str, Any]] = field(default_factory=list)
    # the body's near-duplicate fingerprints (syndicator.neardup), computed with
    # the extraction so that the crawl process does not; a list, so it travels as JSON
    fingerprints: list[int] | None = None
    # the share of the page's text cut as the source's learned standing lines
    boilerplate_share: float = 0.0
    # the share of the body's text that is link text (None: not measured yet)
    link_share: float | None = None
    # filled by the pipelines
    id: str = ""
    content_hash: str = ""
    word_count: int = 0
    state: str = ""  # new / updated / unchanged, set by the dedup pipeline
    duplicate_of: str | None = None  # the canonical copy of the same story
    similarity: float | None = None
    replaces: str | None = None  # a stored copy this one becomes canonical over
    revision: int = 1
    etag: str | None = None
    last_modified: str | None = None
    republish_html: str = ""
    # why the page counts as paywalled (syndicator.rights), None when it does not
    paywalled: str | None = None
    # why the quality gate holds the copy back from partners (None: it may go)
    hold: str | None = None
    # what was stored differently from what the source said, and why: each
    # {"kind": ..., "detail": ...}, written by the store pipeline into ``notes``
    notes: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_extraction(cls, result: dict[str, Any], **fields: Any) -> ArticleItem:
        known = cls.__dataclass_fields__
        return cls(**fields, **{k: v for k, v in result.items() if k in known})
