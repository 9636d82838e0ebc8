"""Lines a source repeats across its articles: the site's, not the story's.

A single-page extractor cannot tell a site's standing lines ("Ascom is a
global solutions provider…", "Get Motor Cycle Monthly delivered…", an author
box, a campaign's plug) from the story; a syndicator, which reads many pages
of each source, can. :func:`learn` reads the source's latest articles in the
store (:data:`WINDOW`), counts for each site of the source the articles each
line of a body appears in, and keeps the tally in the ``boilerplate`` table.
A line is **learned** as boilerplate when

- it appears in :data:`MIN_PAGES` articles of the site or more (the source's
  ``[sources.boilerplate] min_pages``), not counting copies of one story, and
- it stands at an edge of the body on at least :data:`EDGE_SHARE` of them: in
  the run of recurring lines the body starts or ends with, where a site puts
  its standing lines. A paragraph that several stories share in their middle
  (the background of a running story) is theirs, and stays.

An operator pins a line either way (``syndicator boilerplate pin``): a pinned
line is learned, or never learned, whatever the counts say. Learning only
grows: a learned line is cut from the bodies it was counted in, so their
recount could not keep it learned; it stays until an operator pins it
``keep``.

What is learned is cut from each new page at extraction
(:func:`syndicator.body_trim.trim_body`), and :func:`sweep` cuts it from the
bodies already stored, as a new revision: partners get the cleaner copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import fragment_fromstring

from syndicator.body_measures import count_words
from syndicator.body_trim import ANY_SITE, for_site, line_key, site_of
from syndicator.dates import utc_now
from syndicator.neardup import fingerprints
from syndicator.store import Store, content_hash

MIN_PAGES = 3
EDGE_SHARE = 0.8
WINDOW = 500  # a source's latest articles the tally reads: a bounded cost per run
PINS = ("boilerplate", "keep")
Learned = dict[str, list[str]]  # site -> keys of lines


def body_lines(body_text: str) -> list[str]:
    return [line.strip() for line in (body_text or "").splitlines() if line_key(line)]


@dataclass
class _Tally:
    line: str
    articles: set[str] = field(default_factory=set)
    edge: int = 0


def _recent(store: Store, source: str, window: int) -> list[dict[str, Any]]:
    return store.db.execute_returning_dicts(
        """select id, url, body_text, duplicate_of from articles where source = ?
           order by first_seen_at desc limit ?""",
        [source, window],
    )


def tally(articles: Iterable[dict[str, Any]]) -> dict[tuple[str, str], _Tally]:
    """(site, key) -> the articles a line is in, and on how many at an edge of
    the body. Copies of a story (``duplicate_of``) are left out: they repeat
    their original's every line."""
    counts: dict[tuple[str, str], _Tally] = {}
    bodies = []
    for article in articles:
        if article.get("duplicate_of"):
            continue
        site = site_of(article["url"])
        keys = [(line_key(line), line) for line in body_lines(article["body_text"])]
        bodies.append((site, keys))
        for key, line in keys:
            counts.setdefault((site, key), _Tally(line)).articles.add(article["id"])
    for site, keys in bodies:
        recurring = [len(counts[(site, key)].articles) > 1 for key, _ in keys]
        edge: set[str] = set()
        for run in (range(len(keys)), range(len(keys) - 1, -1, -1)):
            for i in run:
                if not recurring[i]:
                    break
                edge.add(keys[i][0])
        for key in edge:
            counts[(site, key)].edge += 1
    return {k: v for k, v in counts.items() if len(v.articles) > 1}


def is_learned(pages: int, edge: int, min_pages: int, pinned: str | None) -> bool:
    if pinned:
        return pinned == "boilerplate"
    return pages >= min_pages and edge >= EDGE_SHARE * pages


def learn(store: Store, source: str, min_pages: int = MIN_PAGES, window: int = WINDOW) -> Learned:
    """Count the source's latest articles' lines into the ``boilerplate`` table
    and return what is learned, by site."""
    counted = tally(_recent(store, source, window))
    now = utc_now()
    with store.write() as db:
        stored = {
            (row["site"], row["key"]): row
            for row in db.execute_returning_dicts(
                "select * from boilerplate where source = ?", [source]
            )
        }
        rows = []
        for (site, key), seen in counted.items():
            before = stored.get((site, key), {})
            pages, edge = len(seen.articles), seen.edge
            if before.get("learned"):  # cut since, so no longer counted: kept
                pages, edge = max(pages, before["pages"]), max(edge, before["edge"])
            pinned = before.get("pinned")
            rows.append(
                {
                    "source": source,
                    "site": site,
                    "key": key,
                    "line": seen.line,
                    "words": len(key.split()),
                    "pages": pages,
                    "edge": edge,
                    "learned": int(
                        before.get("learned") or is_learned(pages, edge, min_pages, pinned)
                    ),
                    "pinned": pinned,
                    "first_seen_at": before.get("first_seen_at") or now,
                    "last_seen_at": now,
                }
            )
        if rows:
            db["boilerplate"].upsert_all(rows, pk=("source", "site", "key"))
    return learned_lines(store, source)


def learned_lines(store: Store, source: str) -> Learned:
    """The keys of the source's learned lines, by site (:data:`ANY_SITE` for
    pins that hold on every site)."""
    if not store.db["boilerplate"].exists():
        return {}
    learned: Learned = defaultdict(list)
    for row in store.db.execute_returning_dicts(
        """select site, key from boilerplate where source = ?
           and (pinned = 'boilerplate' or (learned = 1 and coalesce(pinned, '') != 'keep'))""",
        [source],
    ):
        learned[row["site"]].append(row["key"])
    return dict(learned)


def pin(store: Store, source: str, line: str, how: str, site: str = ANY_SITE) -> int:
    """Pin a line as boilerplate or as ``keep`` (never boilerplate); returns the
    rows pinned. Without a site, on every site the line was seen on, and on
    any other site of the source."""
    if how not in PINS:
        raise ValueError(f"a pin is one of {', '.join(PINS)}, not {how!r}")
    key = line_key(line)
    if not key:
        raise ValueError("the line has no words to recognise it by")
    now = utc_now()
    with store.write() as db:
        sites = {site}
        if site == ANY_SITE:
            sites |= {
                row["site"]
                for row in db.execute_returning_dicts(
                    "select site from boilerplate where source = ? and key = ?", [source, key]
                )
            }
        for one in sites:
            db.execute(
                """insert into boilerplate (source, site, key, line, words, pages, edge,
                   learned, pinned, first_seen_at, last_seen_at)
                   values (?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)
                   on conflict (source, site, key) do update set
                   pinned = excluded.pinned, learned = excluded.learned""",
                [
                    source,
                    one,
                    key,
                    line.strip(),
                    len(key.split()),
                    int(how == "boilerplate"),
                    how,
                    now,
                    now,
                ],
            )
    return len(sites)


def unpin(store: Store, source: str, line: str, min_pages: int = MIN_PAGES) -> int:
    """Let the counts decide again for a line; returns the rows unpinned."""
    key = line_key(line)
    with store.write() as db:
        rows = db.execute_returning_dicts(
            """select site, pages, edge from boilerplate
               where source = ? and key = ? and pinned is not null""",
            [source, key],
        )
        for row in rows:
            db.execute(
                "update boilerplate set pinned = null, learned = ? "
                "where source = ? and site = ? and key = ?",
                [
                    int(is_learned(row["pages"], row["edge"], min_pages, None)),
                    source,
                    row["site"],
                    key,
                ],
            )
    return len(rows)


def cut_text(body_text: str, keys: frozenset[str]) -> str:
    lines = [line for line in body_text.splitlines() if line_key(line) not in keys]
    return "\n".join(lines).strip()


def cut_html(body_html: str, keys: frozenset[str]) -> str:
    """The body's HTML without the elements (paragraphs, headings, list items,
    quotes) whose text is one of ``keys``."""
    if not body_html.strip():
        return body_html
    root = fragment_fromstring(body_html, create_parent="div")
    for el in list(root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote")):
        if el.getparent() is not None and line_key(el.text_content()) in keys:
            el.drop_tree()
    for ul in list(root.iter("ul", "ol")):
        if not len(ul) and ul.getparent() is not None:
            ul.drop_tree()
    inner = (root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )
    return inner.strip()


Render = Callable[[dict[str, Any]], str]  # a stored article (new body) -> republish_html


def sweep(store: Store, source: str, learned: Learned, render: Render, window: int = WINDOW) -> int:
    """Cut what is learned from the source's latest stored bodies, each changed
    one as a new revision; returns how many changed."""
    changed = 0
    if not learned:
        return 0
    for row in _recent(store, source, window):
        keys = for_site(learned, row["url"])
        if not keys or not any(line_key(line) in keys for line in body_lines(row["body_text"])):
            continue
        article = store.article(row["id"]) or {}
        text = cut_text(article["body_text"], keys)
        if not text:
            continue  # all of it learned: an operator's pin gone too far; left as it is
        now = utc_now()
        article["body_text"] = text
        article["body_html"] = cut_html(article.get("body_html") or "", keys)
        article["content_hash"] = content_hash(text)
        article["word_count"] = count_words(text)
        article["republish_html"] = render(article)
        article["revision"] = store.keep_revision(article["id"], now)
        article["changed_at"] = now
        columns = (
            "body_text",
            "body_html",
            "content_hash",
            "word_count",
            "republish_html",
            "revision",
            "changed_at",
        )
        store.update_article(article["id"], {c: article[c] for c in columns}, fingerprints(text))
        changed += 1
    return changed
