"""Read-only questions operators ask the store: search, one article in full,
drops, deliveries.

A small Python API that returns plain dicts (JSON-ready, keys in a fixed
order); ``syndicator search|show|drops|deliveries`` print what these return.
Nothing here imports the crawl stack, so the commands start fast::

    from syndicator.inspect import search
    from syndicator.store import Store

    for hit in search(Store("data/syndicator.db"), "river flood", limit=5):
        print(hit["title"], hit["snippet"])
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as dateparser

from syndicator.deliveries import revision_hash
from syndicator.store import Store


class InspectError(Exception):
    """A question the store cannot answer as asked (bad query, unknown name); one line."""


# -- --since ------------------------------------------------------------------

_RELATIVE = re.compile(r"^(\d+)\s*(s|m|min|h|d|w)$")
_UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> str:
    """A point in time as the store writes it (UTC ISO-8601), from what an
    operator types: ``24h``, ``30m``, ``7d``, ``2w``, ``today``, ``yesterday``
    (midnight UTC), or an ISO date or time (UTC unless it names a zone, like
    every time in the store).

    >>> parse_since("2026-11-17")
    '2026-11-17T00:00:00+00:00'
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    value = text.strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if value == "today":
        when = midnight
    elif value == "yesterday":
        when = midnight - timedelta(days=1)
    elif match := _RELATIVE.match(value):
        when = now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    else:
        try:
            # isoparse, not parse: "may" or "10" must be refused, not guessed
            when = dateparser.isoparse(text.strip())
        except (ValueError, OverflowError):
            raise InspectError(
                f"not a time: {text!r} (use e.g. 24h, 7d, today, yesterday, "
                "2026-11-17 or 2026-11-17T09:00+01:00)"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


# -- search -------------------------------------------------------------------

# snippet() markers: control characters, which article text does not hold, so the
# highlights can be found again without guessing (were one there, a highlight would
# only be off by a little)
_OPEN, _CLOSE = "\x02", "\x03"
_WORD_OR_PHRASE = re.compile(r'"([^"]+)"|(\S+)')
SNIPPET_TOKENS = 16
TITLE_WEIGHT = 5.0  # a word in the headline says more about the story than one in the body


def fts_query(text: str) -> str:
    """Turn what an operator types into an FTS5 query that cannot be a syntax
    error: every word (or "quoted phrase") must appear; a trailing ``*`` keeps
    its meaning as a prefix search. ``river flood*`` -> ``"river" "flood"*``."""
    terms = []
    for phrase, word in _WORD_OR_PHRASE.findall(text):
        term = phrase or word
        prefix = not phrase and term.endswith("*") and len(term) > 1
        term = term.rstrip("*") if prefix else term
        terms.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _highlights(marked: str) -> tuple[str, list[list[int]]]:
    """The snippet without markers, and [start, end) offsets of the matches in it."""
    text, spans, start = [], [], 0
    length = 0
    for part in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if part == _OPEN:
            start = length
        elif part == _CLOSE:
            spans.append([start, length])
        else:
            text.append(part)
            length += len(part)
    return "".join(text), spans


def _filters(
    clauses: list[str], params: list[Any], column: str, since: str | None, **equal: Any
) -> None:
    for name, value in equal.items():
        if value is not None:
            clauses.append(f"{name} = ?")
            params.append(value)
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(since)


def _check_name(store: Store, table: str, column: str, value: str | None, what: str) -> None:
    """An unknown source or partner is a typo to point out, not an empty answer."""
    if value is None:
        return
    known = [row[0] for row in store.db.execute(f"select distinct {column} from {table}")]
    if value not in known:
        raise InspectError(
            f"no {what} {value!r} in the store (known: {', '.join(sorted(known)) or 'none'})"
        )


def search(
    store: Store,
    query: str,
    source: str | None = None,
    since: str | None = None,
    limit: int = 20,
    fts: bool = False,
) -> list[dict[str, Any]]:
    """Articles matching ``query``, best match first (bm25, headline words
    weighted ×5), each with a ``snippet`` of the body around the match (of the
    headline when only it matched) on one line, and the ``highlights`` in it
    as [start, end) character offsets. ``since`` filters on the publication
    date (the first-seen time when there is none). With ``fts`` the query is
    FTS5 syntax (AND, OR, NOT, NEAR, "phrases", prefix*, ``title:``);
    otherwise every word is matched as typed."""
    if not query.strip():
        raise InspectError("empty search query")
    _check_name(store, "sources", "name", source, "source")
    clauses, params = ["articles_fts match ?"], [query if fts else fts_query(query)]
    _filters(
        clauses, params, "coalesce(a.published_at, a.first_seen_at)", since, **{"a.source": source}
    )
    sql = f"""
        select a.id, a.source, a.title, a.url, a.published_at, a.first_seen_at,
          a.duplicate_of, a.revision, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) as score,
          snippet(articles_fts, 1, '{_OPEN}', '{_CLOSE}', '…', {SNIPPET_TOKENS}) as snippet,
          snippet(articles_fts, 0, '{_OPEN}', '{_CLOSE}', '…', {SNIPPET_TOKENS}) as title_snippet
        from articles_fts join articles a on a.rowid = articles_fts.rowid
        where {" and ".join(clauses)}
        order by score, a.duplicate_of is not null, a.published_at desc limit ?"""
    try:
        rows = [dict(row) for row in store.db.query(sql, [*params, limit])]
    except sqlite3.OperationalError as exc:
        # FTS5 reports syntax errors (an unbalanced quote, a stray AND) this way
        raise InspectError(f"cannot search for {query!r}: {exc}") from None
    for row in rows:
        # the body's words around the match; the headline when only the headline matched
        title_snippet = row.pop("title_snippet")
        marked = row["snippet"] if _OPEN in (row["snippet"] or "") else title_snippet
        row["snippet"], row["highlights"] = _highlights(" ".join((marked or "").split()))
        row["score"] = round(-row["score"], 3)  # bm25 is lower-is-better; show higher-is-better
    return rows


# -- one article ----------------------------------------------------------------


def find_article(store: Store, key: str) -> dict[str, Any]:
    """The article with this id, unique id prefix (6+ digits), URL or canonical URL."""
    from syndicator.urls import normalize_url

    key = key.strip()
    candidates = [key]
    if key.startswith(("http://", "https://")):
        candidates.append(normalize_url(key))  # as the crawl stored it
    # one column at a time, so id and canonical_url are looked up through their indexes
    for column in ("id", "canonical_url", "url"):
        for value in candidates:
            row = store.db.execute(
                f"select id from articles where {column} = ? limit 1", [value]
            ).fetchone()
            if row:
                return store.article(row[0]) or {}
    prefix = key.lower()
    if re.fullmatch(r"[0-9a-f]{6,15}", prefix):
        # a range, not LIKE, so the primary key's index is used ('g' sorts after 'f')
        rows = store.db.execute(
            "select id from articles where id >= ? and id < ? limit 2", [prefix, prefix + "g"]
        ).fetchall()
        if len(rows) == 1:
            return store.article(rows[0][0]) or {}
        if rows:
            raise InspectError(f"{key!r} is the start of more than one article id; give more")
    raise InspectError(f"no article {key!r} in the store (give its id or URL)")


ARTICLE_KEYS = (
    "id",
    "source",
    "source_title",
    "title",
    "author",
    "url",
    "canonical_url",
    "published_at",
    "modified_at",
    "language",
    "tags",
    "description",
    "image_url",
    "word_count",
    "revision",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "changed_at",
    "duplicate_of",
    "similarity",
)


def article_detail(store: Store, key: str) -> dict[str, Any]:
    """Everything about one article (by id, id prefix or URL): metadata, its
    copies, teasers, earlier revisions, its delivery to each partner (with
    ``up_to_date``: the partner has this revision; null if it never had one),
    the body and the republished HTML."""
    article = find_article(store, key)
    source = store.db.execute(
        "select title from sources where name = ?", [article["source"]]
    ).fetchone()
    detail = {k: article.get(k) for k in ARTICLE_KEYS}
    detail["source_title"] = source[0] if source else None
    detail["tags"] = json.loads(article.get("tags") or "[]")
    detail["revision"] = article.get("revision") or 1
    detail["copies"] = [
        dict(row)
        for row in store.db.query(
            "select id, source, title, url, similarity from articles "
            "where duplicate_of = ? order by similarity desc",
            [article["id"]],
        )
    ]
    detail["teasers"] = [
        {k: t[k] for k in ("position", "title", "url", "excerpt", "image_url")}
        for t in store.teasers(article["id"])
    ]
    detail["revisions"] = [
        dict(row)
        for row in store.db.query(
            """select revision, title, content_hash, modified_at, first_seen_at, replaced_at
               from revisions where article_id = ? order by revision""",
            [article["id"]],
        )
    ]
    current = revision_hash(article)
    detail["deliveries"] = []
    for row in store.db.query(
        """select partner, status, attempts, remote_id, remote_url, sent_at, updated_at,
             next_attempt_at, last_error, delivered_hash
           from deliveries where article_id = ? order by partner""",
        [article["id"]],
    ):
        delivered = row.pop("delivered_hash")
        # None: the partner never had any revision of it
        row["up_to_date"] = None if delivered is None else delivered == current
        detail["deliveries"].append(row)
    detail["body_text"] = article.get("body_text")
    detail["republish_html"] = article.get("republish_html")
    return detail


# -- drops and deliveries ---------------------------------------------------------


def _listing(
    store: Store, sql: str, clauses: list[str], params: list[Any], order: str, limit: int | None
) -> list[dict[str, Any]]:
    where = f"where {' and '.join(clauses)}" if clauses else ""
    tail = " limit ?" if limit else ""
    return [
        dict(row)
        for row in store.db.query(
            f"{sql} {where} order by {order}{tail}", [*params, *([limit] if limit else [])]
        )
    ]


def drops(
    store: Store,
    since: str | None = None,
    source: str | None = None,
    reason: str | None = None,
    limit: int | None = 100,
) -> list[dict[str, Any]]:
    """Pages that did not become articles, last dropped first (``since`` filters
    on that time); ``limit`` None or 0 for all."""
    _check_name(store, "sources", "name", source, "source")
    clauses: list[str] = []
    params: list[Any] = []
    _filters(clauses, params, "at", since, source=source, reason=reason)
    return _listing(
        store,
        "select url, source, reason, detail, at, first_at, times, run_id from drops",
        clauses,
        params,
        "at desc, url",
        limit,
    )


def deliveries(
    store: Store,
    partner: str | None = None,
    status: str | None = None,
    since: str | None = None,
    limit: int | None = 100,
) -> list[dict[str, Any]]:
    """What went (or is owed, or failed) to which partner, last changed first
    (``since`` filters on that time), with the article's title and the last
    error; ``limit`` None or 0 for all."""
    _check_name(store, "partners", "name", partner, "partner")
    clauses: list[str] = []
    params: list[Any] = []
    _filters(clauses, params, "d.updated_at", since, **{"d.partner": partner, "d.status": status})
    return _listing(
        store,
        """select d.partner, d.article_id, a.source, a.title, d.status, d.attempts,
             d.remote_id, d.remote_url, d.sent_at, d.updated_at, d.next_attempt_at, d.last_error
           from deliveries d left join articles a on a.id = d.article_id""",
        clauses,
        params,
        "d.updated_at desc, d.partner, d.article_id",
        limit,
    )


def teaser_places(
    store: Store, source: str | None = None, everything: bool = False
) -> list[dict[str, Any]]:
    """Where each source's related-story blocks sit, learned from its pages
    (:mod:`syndicator.teaser_learning`); with ``everything``, also the places
    seen holding story links and not learned (yet)."""
    from syndicator.teaser_learning import places

    _check_name(store, "sources", "name", source, "source")
    return places(store, source, everything)


def boilerplate_lines(
    store: Store, source: str | None = None, everything: bool = False
) -> list[dict[str, Any]]:
    """The lines each source repeats across its articles
    (:mod:`syndicator.boilerplate`): learned or pinned ones, or with
    ``everything`` every line seen in two articles or more."""
    _check_name(store, "sources", "name", source, "source")
    if not store.db["boilerplate"].exists():
        return []
    where, params = ["1"], []
    if source:
        where.append("source = ?")
        params.append(source)
    if not everything:
        where.append("(learned = 1 or pinned is not null)")
    return store.db.execute_returning_dicts(
        f"""select source, site, line, learned, pinned, pages, edge, words,
                   first_seen_at, last_seen_at
            from boilerplate where {" and ".join(where)}
            order by source, site, learned desc, pages desc, line""",
        params,
    )
