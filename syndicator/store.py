"""The SQLite store, through sqlite-utils.

Table and column names are a public interface (operators query them with
sqlite-utils, Datasette and the ``sqlite3`` shell); docs/store.md documents each
one. The schema only ever changes through a numbered migration
(:mod:`syndicator.schema`).

Writes are batched: a transaction stays open until ``batch_size`` writes or
``batch_seconds`` have passed, then commits. One crawl process is the only
writer; WAL mode lets operators read while it runs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from syndicator.dates import utc_now
from syndicator.schema import migrate


def article_id(canonical_url: str) -> str:
    """Stable id of an article: the first 16 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(body_text: str) -> str:
    """SHA-256 of the body text with whitespace collapsed, so re-wrapping is no change."""
    return hashlib.sha256(" ".join(body_text.split()).encode("utf-8")).hexdigest()


def _replace_fingerprints(
    db: sqlite_utils.Database, article_id: str, fingerprints: Collection[int]
) -> None:
    db.execute("delete from fingerprints where article_id = ?", [article_id])
    db.conn.executemany(
        "insert or ignore into fingerprints (hash, article_id) values (?, ?)",
        [(h, article_id) for h in fingerprints],
    )


def _upsert(db: sqlite_utils.Database, table: str, row: dict[str, Any], pk: str) -> None:
    """Insert ``row``, or update the given columns of the stored one. sqlite-utils'
    ``upsert`` does the same but looks the table's schema up on every call, which
    costs more than the write itself on the crawl's hot path."""
    columns = list(row)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != pk)
    db.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' * len(columns))}) "
        f"on conflict ([{pk}]) do " + (f"update set {updates}" if updates else "nothing"),
        [_sql_value(row[c]) for c in columns],
    )


def _sql_value(value: Any) -> Any:
    # as sqlite-utils stores them: lists and dicts as JSON
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    return value


def record_event(
    db: sqlite_utils.Database,
    action: str,
    article_id: str | None,
    *,
    partner: str | None = None,
    reason: str | None = None,
    command: str | None = None,
    at: str | None = None,
) -> None:
    """One row of the audit trail (``events``), in the caller's transaction."""
    db.execute(
        """insert into events (at, article_id, partner, action, reason, command)
           values (?, ?, ?, ?, ?, ?)""",
        [at or utc_now(), article_id, partner, action, reason, command],
    )


class Store:
    """The store of one publisher: articles, teasers, fetch state, runs and drops."""

    def __init__(
        self, path: str | Path, *, batch_size: int = 200, batch_seconds: float = 2.0
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        migrate(self.db)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._pending = 0
        self._batch_started = 0.0

    @classmethod
    def read_only(cls, path: str | Path) -> Store:
        """The store opened for reading only: no migration, no write, no lock
        (``syndicator preview``)."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store.db = sqlite_utils.Database(sqlite3.connect(f"file:{store.path}?mode=ro", uri=True))
        store.batch_size, store.batch_seconds = 1, 0.0
        store._pending, store._batch_started = 0, 0.0
        return store

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One logical write (all or nothing), committed with the current batch."""
        if not self.db.conn.in_transaction:
            self.db.begin()
            self._batch_started = time.monotonic()
        with self.db.atomic():
            yield self.db
        self._pending += 1
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._batch_started >= self.batch_seconds
        ):
            self.flush()

    def flush(self) -> None:
        self.db.commit()
        self._pending = 0

    def record_event(self, action: str, article_id: str | None, **fields: Any) -> None:
        """A row of the audit trail, committed with the current batch."""
        with self.write() as db:
            record_event(db, action, article_id, **fields)

    def close(self) -> None:
        self.flush()
        self.db.close()

    # -- reads ---------------------------------------------------------------

    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        cursor = self.db.execute(sql, params)
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def article(self, id: str, columns: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """The article's row: every column, or just ``columns`` (names from
        code, never from input), which spares reading its bodies."""
        selected = ", ".join(columns) if columns else "*"
        return self._row(f"select {selected} from articles where id = ?", [id])

    def article_with_hash(self, digest: str, other_than: str) -> dict[str, Any] | None:
        rows = self.db.execute(
            "select id, url, source, duplicate_of from articles "
            "where content_hash = ? and id != ? limit 1",
            [digest, other_than],
        ).fetchall()
        keys = ("id", "url", "source", "duplicate_of")
        return dict(zip(keys, rows[0], strict=True)) if rows else None

    def fetch_state(self, url: str) -> dict[str, Any] | None:
        return self._row("select * from fetch_state where url = ?", [url])

    def discovered_sitemaps(
        self, source: str, exclude: list[str], limit: int | None = None
    ) -> list[str]:
        """Sitemaps of the source found through an index (those in ``exclude``
        are the configured ones), still answering, the most recently fetched
        first. With ``limit`` (the source's ``max_sitemaps_per_run``) only that
        many are kept: the older ones' ``fetch_state`` rows are deleted, so the
        sitemaps an index ever listed do not pile up run after run."""
        rows = self.db.execute(
            """select url, status from fetch_state where source = ? and kind = 'sitemap'
               order by fetched_at desc, url""",
            [source],
        ).fetchall()
        found = [(url, status) for url, status in rows if url not in exclude]
        if limit is not None and len(found) > limit:
            with self.write() as db:
                db.conn.executemany(
                    "delete from fetch_state where url = ?", [(url,) for url, _ in found[limit:]]
                )
            self.flush()
            del found[limit:]
        return [url for url, status in found if status is None or status < 400]

    def due_for_recheck(
        self, source: str, schedule: list[tuple[float, float]], limit: int = 1000
    ) -> list[str]:
        """URLs of the source's articles whose last fetch is older than their
        age allows: ``schedule`` is (max age in days, recheck every N hours), by
        age; older articles are not rechecked."""
        if not schedule:
            return []
        cases = " ".join(
            f"when julianday('now') - julianday(coalesce(a.published_at, a.first_seen_at)) "
            f"< {float(days)} then {float(hours) / 24}"
            for days, hours in sorted(schedule)
        )
        rows = self.db.execute(
            f"""select a.url from articles a join fetch_state f on f.url = a.url
                where a.source = ? and a.duplicate_of is null
                  and julianday('now') - julianday(f.fetched_at) > (case {cases} else 1e9 end)
                order by f.fetched_at limit ?""",
            [source, limit],
        ).fetchall()
        return [row[0] for row in rows]

    def teasers(self, article_id: str) -> list[dict[str, Any]]:
        return list(
            self.db["teasers"].rows_where("article_id = ?", [article_id], order_by="position")
        )

    # -- writes --------------------------------------------------------------

    def sync_sources(self, sources: list[dict[str, Any]]) -> None:
        now = utc_now()
        with self.write() as db:
            for source in sources:
                db["sources"].upsert({**source, "updated_at": now}, pk="name")

    def save_article(
        self,
        article: dict[str, Any],
        teasers: list[dict[str, Any]],
        fingerprints: Collection[int] | None = None,
    ) -> None:
        """Insert or update an article with its teasers (replacing the old teasers)
        and, when given, its near-duplicate fingerprints."""
        with self.write() as db:
            _upsert(db, "articles", article, "id")
            if fingerprints is not None:
                _replace_fingerprints(db, article["id"], fingerprints)
            db.execute("delete from teasers where article_id = ?", [article["id"]])
            db.conn.executemany(
                "insert into teasers (article_id, position, title, url, excerpt, image_url) "
                "values (?, ?, ?, ?, ?, ?)",
                [
                    (article["id"], i, t["title"], t["url"], t.get("excerpt"), t.get("image_url"))
                    for i, t in enumerate(teasers)
                ],
            )

    def update_article(
        self,
        article_id: str,
        columns: dict[str, Any],
        fingerprints: Collection[int] | None = None,
    ) -> None:
        """Change some columns of a stored article (names from code, never from
        input) and, when given, its near-duplicate fingerprints."""
        with self.write() as db:
            db["articles"].update(article_id, columns)
            if fingerprints is not None:
                _replace_fingerprints(db, article_id, fingerprints)

    def keep_revision(self, article_id: str, replaced_at: str) -> int:
        """Copy the article as it is into ``revisions``; returns the next revision number."""
        with self.write() as db:
            row = db.execute(
                "select coalesce(revision, 1), title, body_text, body_html, content_hash, "
                "modified_at, changed_at from articles where id = ?",
                [article_id],
            ).fetchone()
            db["revisions"].insert(
                {
                    "article_id": article_id,
                    "revision": row[0],
                    "title": row[1],
                    "body_text": row[2],
                    "body_html": row[3],
                    "content_hash": row[4],
                    "modified_at": row[5],
                    "first_seen_at": row[6],
                    "replaced_at": replaced_at,
                },
                pk=("article_id", "revision"),
                replace=True,
            )
        return row[0] + 1

    def near_candidates(
        self, fingerprints: set[int], other_than: str, max_bucket: int, limit: int
    ) -> list[str]:
        """Stored articles sharing fingerprints with these, most shared first. Each
        fingerprint is an index lookup; none of them scans the table."""
        if not fingerprints:
            return []
        hashes = list(fingerprints)
        marks = ", ".join("?" * len(hashes))
        common = {
            row[0]
            for row in self.db.execute(
                f"select hash from fingerprints where hash in ({marks}) "
                f"group by hash having count(*) > ?",
                [*hashes, max_bucket],
            )
        }
        wanted = [h for h in hashes if h not in common]
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        rows = self.db.execute(
            f"""select article_id, count(*) as shared from fingerprints
                where hash in ({marks}) and article_id != ?
                group by article_id order by shared desc limit ?""",
            [*wanted, other_than, limit],
        ).fetchall()
        return [row[0] for row in rows]

    def mark_duplicate(self, article_id: str, canonical_id: str, similarity: float) -> None:
        """Make an article (and the copies already linked to it) a duplicate of another."""
        with self.write() as db:
            db.execute(
                "update articles set duplicate_of = ?, similarity = ? where id = ?",
                [canonical_id, similarity, article_id],
            )
            db.execute(
                "update articles set duplicate_of = ? where duplicate_of = ?",
                [canonical_id, article_id],
            )

    def delivered_anywhere(self, article_id: str) -> bool:
        """Whether a partner may have the article, or had it and was told to take
        it down: its copy of the story must stay the canonical one (a withdrawn
        story must not come back as another site's copy of it)."""
        row = self.db.execute(
            """select 1 from deliveries where article_id = ?
                 and (status in ('sent', 'sending', 'conflict', 'withdrawing', 'withdrawn')
                      or remote_id is not null)
               union all
               select 1 from articles where id = ? and withdrawn_at is not null
               limit 1""",
            [article_id, article_id],
        ).fetchone()
        return row is not None

    def touch_article(self, id: str, seen_at: str) -> None:
        with self.write() as db:
            db.execute("update articles set last_seen_at = ? where id = ?", [seen_at, id])

    def record_fetch(self, url: str, **fields: Any) -> None:
        """Upsert a URL's fetch state; fields not given keep their stored value."""
        with self.write() as db:
            _upsert(db, "fetch_state", {"url": url, **fields}, "url")

    def record_drop(
        self,
        url: str,
        source: str | None,
        reason: str,
        detail: str = "",
        run_id: int | None = None,
    ) -> None:
        now = utc_now()
        with self.write() as db:
            db.execute(
                """insert into drops (url, source, reason, detail, at, first_at, times, run_id)
                   values (?, ?, ?, ?, ?, ?, 1, ?)
                   on conflict (url, reason) do update set
                     source = excluded.source, detail = excluded.detail, at = excluded.at,
                     times = times + 1, run_id = excluded.run_id""",
                [url, source, reason, detail, now, now, run_id],
            )

    def record_note(
        self,
        url: str,
        kind: str,
        detail: str,
        *,
        source: str | None = None,
        article_id: str | None = None,
        partner: str = "",
        run_id: int | None = None,
    ) -> None:
        """Note that an article (``partner`` empty) or its delivery to ``partner``
        was changed or left something out, and why; one row per (url, partner,
        kind), counted each time it happens again."""
        now = utc_now()
        with self.write() as db:
            db.execute(
                """insert into notes (url, partner, kind, source, article_id, detail, at,
                     first_at, times, run_id) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                   on conflict (url, partner, kind) do update set
                     source = excluded.source, article_id = excluded.article_id,
                     detail = excluded.detail, at = excluded.at, times = times + 1,
                     run_id = excluded.run_id""",
                [url, partner, kind, source, article_id, detail, now, now, run_id],
            )

    def start_run(self, command: str) -> int:
        with self.write() as db:
            table = db["runs"]
            table.insert({"command": command, "started_at": utc_now(), "status": "running"})
            run_id = table.last_pk
        self.flush()
        return int(run_id)

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], error: str | None = None
    ) -> None:
        with self.write() as db:
            db["runs"].update(
                run_id,
                {
                    "finished_at": utc_now(),
                    "status": status,
                    "counts": json.dumps(counts, sort_keys=True),
                    "error": error,
                },
            )
        self.flush()

    # -- summaries -----------------------------------------------------------

    def source_status(self, configured: dict[str, set[str]] | None = None) -> list[dict[str, Any]]:
        """Per source: articles stored, held, drops, newest article, last fetch and
        last error. With ``configured`` (each source of the config and its feeds,
        sitemaps and sections), a source no longer in the config says so, and a
        feed no longer configured has no current error."""
        sql = """
        select s.name as source, s.enabled,
          (select count(*) from articles a where a.source = s.name) as articles,
          (select max(first_seen_at) from articles a where a.source = s.name) as newest,
          (select max(fetched_at) from fetch_state f where f.source = s.name) as last_fetch,
          (select count(*) from drops d where d.source = s.name) as drops,
          (select count(*) from articles a where a.source = s.name and a.hold is not null
             and a.duplicate_of is null) as held
        from sources s order by s.name
        """
        rows = [dict(row) for row in self.db.query(sql)]
        errors = self.db.query(
            """select source, url, kind, error from (
                 select f.*, row_number() over (partition by f.source
                                                order by f.fetched_at desc) as n
                 from fetch_state f where f.error is not null)
               where n <= 50 order by source, fetched_at desc"""
        )
        last: dict[str, str] = {}
        for error in errors:
            if error["source"] in last:
                continue
            listed = (configured or {}).get(error["source"])
            # feeds are only ever configured (sitemaps and section pages are
            # also found by following others): one not listed any more is retired
            retired = listed is not None and error["kind"] == "feed" and error["url"] not in listed
            if not retired:
                last[error["source"]] = f"{error['error']} ({error['url']})"
        for row in rows:
            row["last_error"] = last.get(row["source"])
            row["in_config"] = configured is None or row["source"] in configured
        return rows

    def duplicate_clusters(self, limit: int = 200) -> list[dict[str, Any]]:
        """Each canonical article that has copies, with its copies and their similarity."""
        rows = self.db.query(
            """select c.id, c.source, c.title, c.url, c.published_at,
                 d.id as dup_id, d.source as dup_source, d.title as dup_title,
                 d.url as dup_url, d.similarity
               from articles d join articles c on c.id = d.duplicate_of
               order by c.first_seen_at desc, c.id, d.similarity desc"""
        )
        clusters: dict[str, dict[str, Any]] = {}
        for row in rows:
            cluster = clusters.setdefault(
                row["id"],
                {
                    "id": row["id"],
                    "source": row["source"],
                    "title": row["title"],
                    "url": row["url"],
                    "published_at": row["published_at"],
                    "duplicates": [],
                },
            )
            cluster["duplicates"].append(
                {
                    "id": row["dup_id"],
                    "source": row["dup_source"],
                    "title": row["dup_title"],
                    "url": row["dup_url"],
                    "similarity": row["similarity"],
                }
            )
        return list(clusters.values())[:limit]

    def last_run(self) -> dict[str, Any] | None:
        rows = list(self.db["runs"].rows_where(order_by="id desc", limit=1))
        return rows[0] if rows else None
