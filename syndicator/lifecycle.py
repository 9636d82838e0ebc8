"""An article's life after it is stored: withdrawn from every partner (an
operator's takedown, or the source removing the page), restored, and the
audit trail of what happened to it.

A withdrawal is written here, in the store, and carried to each partner
exactly once by the publisher (:mod:`syndicator.publish`): a WordPress post
goes to draft or to the trash, a webhook gets a signed ``article.withdrawn``
event, an Atom feed a tombstone (RFC 6721). Until it is restored, a withdrawn
article is never sent again: not by a recrawl, a revision, a duplicate link
or a ``retry`` (:mod:`syndicator.deliveries` leaves it out everywhere).

A delivery's part, by its state when the article is withdrawn: a copy the
partner has (sent, or maybe created by an attempt whose answer was lost) is
owed a withdrawal (``withdrawing``, then ``withdrawn``); one never sent is
``withdrawn`` at once, as there is nothing to remove.

Every withdrawal, restore, hold, release, delivery and withdrawal sent is a
row of ``events`` (when, what, where, why, by which command);
:func:`history` joins them with the article's fetches and revisions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from syndicator.dates import utc_now
from syndicator.deliveries import EXPIRED, Deliveries
from syndicator.store import Store, record_event

MISSING = 404


def withdraw(store: Store, article_id: str, reason: str, command: str) -> int:
    """Withdraw the article from every partner; returns how many partners have
    a copy to remove. Withdrawing a withdrawn article changes nothing."""
    now = utc_now()
    with store.write() as db:
        changed = db.execute(
            """update articles set withdrawn_at = ?, withdrawn_reason = ?
               where id = ? and withdrawn_at is null""",
            [now, reason, article_id],
        ).rowcount
        if not changed:
            return 0
        record_event(db, "withdrawn", article_id, reason=reason, command=command, at=now)
    store.flush()
    # the deliveries follow (were this cut short, the next publish's queue would)
    return Deliveries(store).follow_withdrawals(now, article_id=article_id)


def restore(store: Store, article_id: str, command: str) -> int:
    """Undo a withdrawal: every partner is owed the article again (a partner
    that had it gets its copy back, as an update). Returns the deliveries
    queued; 0 when the article was not withdrawn."""
    now = utc_now()
    with store.write() as db:
        changed = db.execute(
            """update articles set withdrawn_at = null, withdrawn_reason = null,
                 gone_since = null
               where id = ? and withdrawn_at is not null""",
            [article_id],
        ).rowcount
        if not changed:
            return 0
        # delivered_hash cleared: the partner's copy is sent again even if the
        # text is the same, to undo the draft, the trash or the tombstone
        # a copy that expired on a partner (syndicator.rights) stays expired there
        queued = db.execute(
            f"""update deliveries set status = 'pending', attempts = 0, next_attempt_at = ?,
                  last_error = null, delivered_hash = null, updated_at = ?,
                  withdrawn_reason = null
                where article_id = ? and status in ('withdrawing', 'withdrawn')
                  and coalesce(withdrawn_reason, '') not like '{EXPIRED}%'""",
            [now, now, article_id],
        ).rowcount
        record_event(db, "restored", article_id, command=command, at=now)
    store.flush()
    return queued


def _hours_since(moment: str, now: str) -> float:
    then = datetime.fromisoformat(moment)
    return (datetime.fromisoformat(now) - then.astimezone(UTC)).total_seconds() / 3600


def source_gone(
    store: Store, urls: list[str], status: int, withdraw_after_hours: float, command: str
) -> str | None:
    """A recheck found the article at one of ``urls`` answering ``status``:
    410 withdraws it at once; 404 does when it has persisted over rechecks at
    least ``withdraw_after_hours`` apart (the first 404 is remembered in
    ``gone_since``). Returns the withdrawn article's id, if one was."""
    if status not in (410, MISSING):
        return None
    marks = ", ".join("?" * len(urls))
    row = store.db.execute(
        f"""select id, gone_since from articles
            where (url in ({marks}) or canonical_url in ({marks}))
              and withdrawn_at is null and duplicate_of is null
            limit 1""",
        [*urls, *urls],
    ).fetchone()
    if row is None:
        return None
    article_id, gone_since = row
    now = utc_now()
    if status == MISSING and (
        gone_since is None or _hours_since(gone_since, now) < withdraw_after_hours
    ):
        if gone_since is None:
            with store.write() as db:
                db.execute("update articles set gone_since = ? where id = ?", [now, article_id])
        return None
    reason = (
        "the source answers 410 Gone"
        if status == 410
        else f"the source has answered 404 Not Found since {gone_since}"
    )
    withdraw(store, article_id, reason, command)
    return article_id


def back_at_source(store: Store, article_id: str) -> None:
    """The page answered again: a 404 seen earlier was passing."""
    with store.write() as db:
        db.execute(
            "update articles set gone_since = null where id = ? and gone_since is not null",
            [article_id],
        )


def history(store: Store, article_id: str) -> list[dict[str, Any]]:
    """Everything that happened to the article, oldest first: fetched,
    revised, held, released, sent, updated, withdrawn, restored, where and why."""
    article = store.article(article_id, ("id", "url", "source", "first_seen_at")) or {}
    rows: list[dict[str, Any]] = []
    if article:
        rows.append(
            {
                "at": article["first_seen_at"],
                "action": "fetched",
                "partner": None,
                "reason": f"{article['url']} (source {article['source']})",
                "command": "crawl",
            }
        )
    for (replaced_at,) in store.db.execute(
        "select replaced_at from revisions where article_id = ? order by revision", [article_id]
    ):
        rows.append(
            {
                "at": replaced_at,
                "action": "revised",
                "partner": None,
                "reason": "the source changed the title or body; the earlier text is kept",
                "command": "crawl",
            }
        )
    rows += store.db.query(
        """select at, action, partner, reason, command from events
           where article_id = ? order by at, id""",
        [article_id],
    )
    return sorted(rows, key=lambda row: row["at"] or "")
