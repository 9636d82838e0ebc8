"""The store's schema: numbered migrations, applied in order when a store opens.

Table and column names are a public interface (docs/store.md documents each
one), so the schema only ever grows through a new migration at the end of
:data:`MIGRATIONS`; SQLite's ``user_version`` says how many were applied.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "title": str,
            "enabled": int,
            "feeds": str,
            "sitemaps": str,
            "sections": str,
            "updated_at": str,
        },
        pk="name",
    )
    db["articles"].create(
        {
            "id": str,
            "source": str,
            "url": str,
            "canonical_url": str,
            "title": str,
            "author": str,
            "published_at": str,
            "modified_at": str,
            "language": str,
            "image_url": str,
            "tags": str,
            "description": str,
            "body_html": str,
            "body_text": str,
            "word_count": int,
            "republish_html": str,
            "content_hash": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "changed_at": str,
        },
        pk="id",
        not_null={"source", "url", "canonical_url", "content_hash"},
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["source", "first_seen_at"])
    db["articles"].enable_fts(["title", "body_text"], create_triggers=True, tokenize="porter")
    db["teasers"].create(
        {
            "article_id": str,
            "position": int,
            "title": str,
            "url": str,
            "excerpt": str,
            "image_url": str,
        },
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["fetch_state"].create(
        {
            "url": str,
            "source": str,
            "kind": str,
            "status": int,
            "etag": str,
            "last_modified": str,
            "fetched_at": str,
            "error": str,
        },
        pk="url",
    )
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "counts": str,
            "error": str,
        },
        pk="id",
    )
    db["drops"].create(
        {
            "url": str,
            "source": str,
            "reason": str,
            "detail": str,
            "at": str,
            "first_at": str,
            "times": int,
            "run_id": int,
        },
        pk=("url", "reason"),
    )
    db["drops"].create_index(["at"])


def _migration_2(db: sqlite_utils.Database) -> None:
    db["deliveries"].create(
        {
            "article_id": str,
            "partner": str,
            "status": str,
            "remote_id": str,
            "remote_url": str,
            "remote_key": str,
            "media_id": str,
            "delivered_hash": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "created_at": str,
            "updated_at": str,
            "sent_at": str,
        },
        pk=("article_id", "partner"),
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"status"},
    )
    db["deliveries"].create_index(["partner", "status", "next_attempt_at"])
    db["partners"].create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "disabled_at": str,
            "disabled_reason": str,
            "updated_at": str,
        },
        pk="name",
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    db["articles"].add_column("duplicate_of", str)
    db["articles"].add_column("similarity", float)
    db["articles"].add_column("revision", int)
    db.execute("update articles set revision = 1")
    db["articles"].create_index(["duplicate_of"])
    db.execute(
        """create table fingerprints (hash integer not null, article_id text not null,
           primary key (hash, article_id)) without rowid"""
    )
    db.execute("create index fingerprints_article on fingerprints (article_id)")
    db["revisions"].create(
        {
            "article_id": str,
            "revision": int,
            "title": str,
            "body_text": str,
            "body_html": str,
            "content_hash": str,
            "modified_at": str,
            "first_seen_at": str,
            "replaced_at": str,
        },
        pk=("article_id", "revision"),
        foreign_keys=[("article_id", "articles", "id")],
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    # what syndicator changed in, or left out of, an article or a delivery and
    # why; drops say what was not stored at all, notes what was stored or sent
    # differently from what the source said
    db["notes"].create(
        {
            "url": str,
            "partner": str,
            "kind": str,
            "source": str,
            "article_id": str,
            "detail": str,
            "at": str,
            "first_at": str,
            "times": int,
            "run_id": int,
        },
        pk=("url", "partner", "kind"),
        not_null={"url", "partner", "kind"},
    )
    db["notes"].create_index(["at"])
    db["notes"].create_index(["article_id"])


def _migration_5(db: sqlite_utils.Database) -> None:
    # what each source's pages said of the places of their template that hold
    # groups of story links (syndicator.teaser_learning)
    db["teaser_places"].create(
        {
            "source": str,
            "site": str,
            "place": str,
            "learned": str,
            "pages": int,
            "confirmed": int,
            "varied": int,
            "repeated": int,
            "outside": int,
            "headed": int,
            "vetoed": int,
            "heading": str,
            "last_urls": str,
            "last_run": int,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk=("source", "site", "place"),
        not_null={"source", "site", "place"},
    )
    db["teaser_places"].create_index(["source", "learned"])


def _migration_6(db: sqlite_utils.Database) -> None:
    # the publication time as the source printed it, with its offset: the UTC
    # time alone can fall on another day than the one the source printed
    db["articles"].add_column("published_local", str)


def _migration_7(db: sqlite_utils.Database) -> None:
    # lines each source repeats across its articles, counted per site, and what
    # was learned of them or pinned by an operator (syndicator.boilerplate)
    db["boilerplate"].create(
        {
            "source": str,
            "site": str,
            "key": str,
            "line": str,
            "words": int,
            "pages": int,
            "edge": int,
            "learned": int,
            "pinned": str,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk=("source", "site", "key"),
        not_null={"source", "site", "key"},
    )
    db["boilerplate"].create_index(["source", "learned"])


def _migration_8(db: sqlite_utils.Database) -> None:
    # the quality gate's verdict: why a copy is held back from partners, and
    # when an operator released one (syndicator.quality_gate)
    db["articles"].add_column("hold", str)
    db["articles"].add_column("released_at", str)


def _migration_9(db: sqlite_utils.Database) -> None:
    # the syndication lifecycle (syndicator.lifecycle): a copy withdrawn from
    # every partner and why, the first time a recheck found the source's page
    # gone (404) and, per delivery, when the partner's copy was withdrawn
    db["articles"].add_column("withdrawn_at", str)
    db["articles"].add_column("withdrawn_reason", str)
    db["articles"].add_column("gone_since", str)
    db["deliveries"].add_column("withdrawn_at", str)
    # the audit trail: every withdrawal, restore, hold, release, delivery ...
    # of an article, when, why and by which command
    db["events"].create(
        {
            "id": int,
            "at": str,
            "article_id": str,
            "partner": str,
            "action": str,
            "reason": str,
            "command": str,
        },
        pk="id",
        not_null={"at", "action"},
    )
    db["events"].create_index(["article_id", "at"])


def _migration_10(db: sqlite_utils.Database) -> None:
    # a source's terms (syndicator.rights): copies expire so many days after
    # their first delivery to a partner, and a delivery withdrawn on its own
    # (expired) says why, apart from a withdrawal of the whole article
    db["deliveries"].add_column("first_sent_at", str)
    db["deliveries"].add_column("withdrawn_reason", str)
    # what the partner's copy looked like after our last write (WordPress: its
    # modified_gmt and a hash of its title and content), to tell a partner's
    # own edit from ours before an update overwrites it
    db["deliveries"].add_column("remote_modified", str)
    db["deliveries"].add_column("remote_fingerprint", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
    _migration_10,
]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; returns the schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.atomic():
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)
