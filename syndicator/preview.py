"""``syndicator preview URL``: one page, fetched now, made into the copy its
partners would get, with the quality gate's verdict; nothing is stored.

It is how a publisher sets up a new source and its selectors: the page goes
through what a crawl does to it (the source's network allowance, the crawl's
decoding, extraction with the source's selectors and what the store learned
of it, then validation, normalisation, sanitising, the publisher's templates
and the gate), and the result is shown instead of stored.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from syndicator.config import Config, Source
from syndicator.errors import ConfigError
from syndicator.store import Store

MAX_BYTES = 20 * 1024 * 1024  # what one page may weigh, as in a crawl's default


@dataclass
class Preview:
    """The copy a page makes, or why it makes none."""

    url: str
    source: str
    article: dict[str, Any] = field(default_factory=dict)
    dropped: str | None = None  # "reason: detail" when the crawl would not store it
    hold: str | None = None  # the gate's reasons when it would hold the copy
    stored_as: str | None = None  # an article of the store with the same body


def choose_source(config: Config, url: str, name: str | None) -> Source:
    """The named source, else the one whose feeds, sitemaps or sections are on
    the page's host; else the publisher must name one."""
    if name:
        for source in config.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in config.sources) or "none"
        raise ConfigError(f"no source {name!r} in the config (known: {known})")
    host = (urlsplit(url).hostname or "").lower()
    for source in config.sources:
        starts = [*source.feeds, *source.sitemaps, *source.sections]
        if any((urlsplit(str(u)).hostname or "").lower() == host for u in starts):
            return source
    raise ConfigError(f"no source of the config is on {host}: name one with --source")


async def fetch(url: str, source: Source, config: Config) -> tuple[str, int, dict[str, str], bytes]:
    """The page as a crawl of the source would get it: (final URL, status,
    headers, body), through the network guard with the source's networks."""
    from syndicator.guarded_http import guarded_client
    from syndicator.scrapy_settings import user_agent

    politeness = source.politeness(config.crawl)
    hint = f"list its network in source {source.name!r}'s allow_networks to allow it"
    async with (
        guarded_client(
            source.allow_networks,
            hint,
            timeout=politeness.timeout or 30.0,
            connections=1,
            user_agent=user_agent(config),
        ) as client,
        client.stream("GET", url, follow_redirects=True) as response,
    ):
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise ValueError(f"the page is larger than {MAX_BYTES // 2**20} MB")
        return str(response.url), response.status_code, dict(response.headers), bytes(body)


def _read_only(path: Path) -> Store | None:
    return Store.read_only(path) if path.exists() else None


def make_copy(
    config: Config,
    source: Source,
    url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> Preview:
    """What the crawl's pipelines make of the page, without the store's writes."""
    from scrapy.http import HtmlResponse

    from pipelines import Drop
    from pipelines.gate import QualityGatePipeline
    from pipelines.normalise import NormalisePipeline
    from pipelines.render import TEMPLATE_FIELDS, RenderPipeline
    from pipelines.sanitise import SanitisePipeline
    from pipelines.validate import ValidatePipeline
    from syndicator import boilerplate, teaser_learning
    from syndicator.charsets import page_text
    from syndicator.extraction import extract_page
    from syndicator.items import ArticleItem

    store = _read_only(config.store_path)
    learned_places: dict[str, list[str]] = {}
    learned_lines: dict[str, list[str]] = {}
    if store is not None:
        try:
            learned_places = teaser_learning.learned_places(store, source.name)
            learned_lines = boilerplate.learned_lines(store, source.name)
        except sqlite3.Error:  # a store older than those tables: nothing learned yet
            pass
    preview = Preview(url, source.name)
    response = HtmlResponse(url, status=status, headers=headers, body=body)
    result = extract_page(
        page_text(response),
        url,
        source.teasers.model_dump(),
        learned_places if source.teasers.learn else {},
        learned_lines if source.boilerplate.learn else {},
    )
    item = ArticleItem.from_extraction(
        result,
        url=url,
        source=source.name,
        status=status,
        content_type=headers.get("content-type", ""),
        fetch_error=None if status < 400 else f"HTTP {status}",
    )
    item.state = "new"
    steps = [
        ValidatePipeline({source.name: source.min_words}),
        NormalisePipeline(),
        SanitisePipeline(config.publisher.nofollow_links),
        RenderPipeline(config, store),
        QualityGatePipeline(config, store),
    ]
    try:
        for step in steps:
            item = step.process_item(item)
    except Drop as drop:
        preview.dropped = f"{drop.reason}: {drop.detail}" if drop.detail else drop.reason
    if store is not None and item.content_hash:
        row = store.db.execute(
            "select id from articles where content_hash = ? limit 1", [item.content_hash]
        ).fetchone()
        preview.stored_as = row[0] if row else None
    shown = (*TEMPLATE_FIELDS, "description", "word_count", "republish_html")
    preview.article = {name: getattr(item, name) for name in shown}
    preview.hold = item.hold
    return preview


def preview(config: Config, url: str, source_name: str | None = None) -> Preview:
    """Fetch ``url`` now and make its copy; raises :class:`ConfigError` for an
    unknown source, and the fetch's own errors (refused network, timeout)."""
    source = choose_source(config, url, source_name)
    final, status, headers, body = asyncio.run(fetch(url, source, config))
    return make_copy(config, source, final, status, headers, body)


def html_page(shown: Preview) -> str:
    """A page to open in a browser: the verdict, then the copy as partners get it."""
    from html import escape

    article = shown.article
    if shown.dropped:
        verdict = f"Would not be stored: {shown.dropped}"
    elif shown.hold:
        verdict = f"Would be held, not sent: {shown.hold}"
    else:
        verdict = "Would be sent to partners."
    facts = [
        ("source", shown.source),
        ("url", article.get("url")),
        ("author", article.get("author")),
        ("published", article.get("published_local") or article.get("published_at")),
        ("words", article.get("word_count")),
        ("language", article.get("language")),
        ("tags", ", ".join(article.get("tags") or [])),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts if v)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Preview: {escape(article.get('title') or shown.url)}</title>"
        "<style>body{max-width:46rem;margin:2rem auto;font:1.05rem/1.55 Georgia,serif}"
        ".verdict{padding:.6rem 1rem;background:#f3f0e6;font-family:sans-serif}"
        "th{text-align:left;padding-right:1rem;font-family:sans-serif}</style></head><body>"
        f"<p class='verdict'>{escape(verdict)}</p><table>{rows}</table>"
        f"<h1>{escape(article.get('title') or '(no title)')}</h1>"
        f"{article.get('republish_html') or ''}</body></html>"
    )
