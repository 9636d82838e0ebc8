"""Delivery state: which article went to which partner, and what is still owed.

One row per (article, partner) in ``deliveries``. The life of a row:

    pending ──► sending ──► sent ──(article changed)──► pending …
       ▲           │          │
       └─ retry ◄──┤          └──(article withdrawn)──► withdrawing ──► withdrawn
                   │            (syndicator.lifecycle)      (its own retries)
                   └──► failed (permanent, or out of attempts)   skipped (never to be sent)

``sending`` is written and committed *before* the request goes out, so a
publish killed after sending finds the row in that state and the adapter
looks for what the earlier attempt may have created before creating again.
Every transition is committed at once: no batching here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from syndicator.dates import utc_now
from syndicator.store import Store, record_event

RETRYABLE = ("pending", "sending")
# a delivery whose partner may have the copy: sent, or tried (an answer may have been lost)
MAY_HAVE_COPY = "remote_id is not null or attempts > 0 or status in ('sent', 'sending')"
EXPIRED = "expired"  # how a delivery's withdrawn_reason starts when its copy expired
OVERWRITTEN = "the partner's edit is overwritten by ours"
# partner_status()'s counts of deliveries by state
COUNTED = ("sent", "pending", "failed", "skipped", "held", "conflicts", "withdrawn")


def revision_hash(article: dict[str, Any]) -> str:
    """What a partner has seen of an article: its title and body. A change in
    either is a new revision and means an update."""
    text = f"{article.get('title') or ''}\n{article['content_hash']}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def event(
    action: str, article_id: str, partner: str, reason: str | None, at: str
) -> dict[str, Any]:
    """A row of the audit trail, for :meth:`Deliveries.commit`."""
    return {
        "action": action,
        "article_id": article_id,
        "partner": partner,
        "reason": reason,
        "at": at,
    }


@dataclass
class Queued:
    new: int = 0
    updates: int = 0


class Deliveries:
    """Delivery state in the store. With ``dry_run`` nothing is committed: the
    caller rolls the transaction back when done."""

    def __init__(
        self, store: Store, dry_run: bool = False, clock: Callable[[], str] | None = None
    ) -> None:
        self.store = store
        self.db = store.db
        self.dry_run = dry_run
        # the time every transition is stamped and decided at (the publisher's clock)
        self.now = clock or utc_now

    def commit(self, sql: str, params: list[Any], audit: dict[str, Any] | None = None) -> int:
        """One transition, committed at once; ``audit``: its row in the audit trail."""
        if self.dry_run:
            if not self.db.conn.in_transaction:
                self.db.begin()
            return self.db.execute(sql, params).rowcount
        with self.store.write() as db:
            count = db.execute(sql, params).rowcount
            if audit and count:
                record_event(db, command="publish", **audit)
        self.store.flush()
        return count

    # -- partners ---------------------------------------------------------------

    def sync_partners(self, partners: list[dict[str, Any]]) -> None:
        now = self.now()
        for partner in partners:
            self.commit(
                """insert into partners (name, kind, url, updated_at) values (?, ?, ?, ?)
                   on conflict (name) do update set kind = excluded.kind, url = excluded.url,
                     updated_at = excluded.updated_at""",
                [partner["name"], partner["kind"], partner["url"], now],
            )

    def disabled_reason(self, partner: str) -> str | None:
        row = self.db.execute(
            "select disabled_reason from partners where name = ? and disabled_at is not null",
            [partner],
        ).fetchone()
        return row[0] if row else None

    def disable(self, partner: str, reason: str) -> None:
        self.commit(
            "update partners set disabled_at = ?, disabled_reason = ? where name = ?",
            [self.now(), reason, partner],
        )

    def enable(self, partner: str) -> None:
        self.commit(
            "update partners set disabled_at = null, disabled_reason = null where name = ?",
            [partner],
        )

    # -- queueing ---------------------------------------------------------------

    def enqueue(
        self,
        partner: str,
        sources: list[str],
        since: str | None,
        withheld: Collection[str] = (),
        now: str | None = None,
    ) -> Queued:
        """Queue every article the partner has not had, and an update for every
        sent article that changed since; nothing of the ``withheld`` sources
        (``republish = "none"``). ``now``: the publisher's clock."""
        now = now or self.now()
        # a withdrawn article is owed to no partner until it is restored
        where, params = ["a.duplicate_of is null", "a.withdrawn_at is null"], []
        if sources:
            where.append(f"a.source in ({', '.join('?' * len(sources))})")
            params += sources
        if withheld:
            where.append(f"a.source not in ({', '.join('?' * len(withheld))})")
            params += list(withheld)
        if since:
            where.append("a.first_seen_at >= ?")
            params.append(since)
        queued = Queued()
        # a copy found to be a duplicate after it was queued is not sent at all
        self.commit(
            """update deliveries set status = 'skipped', updated_at = ?,
                 last_error = 'duplicate of ' || (select duplicate_of from articles a
                                                  where a.id = deliveries.article_id)
               where partner = ? and status = 'pending' and attempts = 0 and article_id in
                 (select id from articles where duplicate_of is not null)""",
            [now, partner],
        )
        if withheld:
            self.commit(
                f"""update deliveries set status = 'skipped', updated_at = ?,
                      last_error = 'the source is republished to no partner (republish = none)'
                    where partner = ? and status in ('pending', 'held') and attempts = 0
                      and article_id in (select id from articles
                        where source in ({", ".join("?" * len(withheld))}))""",
                [now, partner, *withheld],
            )
        self._gate(partner, now)
        self.follow_withdrawals(now, partner=partner)
        # a copy the quality gate holds is queued as held: shown, never sent
        queued.new = self.commit(
            f"""insert into deliveries (article_id, partner, status, attempts, next_attempt_at,
                  created_at, updated_at, last_error)
                select a.id, ?, case when a.hold is null then 'pending' else 'held' end, 0, ?,
                  ?, ?, case when a.hold is null then null else 'held: ' || a.hold end
                from articles a
                where {" and ".join(where)}
                  and not exists (select 1 from deliveries d
                                  where d.article_id = a.id and d.partner = ?)""",
            [partner, now, now, now, *params, partner],
        )
        changed = [
            (row[0], row[4])
            for row in self.db.execute(
                f"""select a.id, a.title, a.content_hash, d.delivered_hash, a.hold
                    from deliveries d join articles a on a.id = d.article_id
                    where d.partner = ? and d.status = 'sent'
                      and a.source not in ({", ".join("?" * len(withheld))})""",
                [partner, *withheld],
            ).fetchall()
            if revision_hash({"title": row[1], "content_hash": row[2]}) != row[3]
        ]
        for article_id, hold in changed:
            # an update the gate holds: the partner keeps the copy it has
            status, error = ("held", f"held: {hold}") if hold else ("pending", None)
            count = self.commit(
                """update deliveries set status = ?, attempts = 0, next_attempt_at = ?,
                     last_error = ?, updated_at = ? where article_id = ? and partner = ?""",
                [status, now, error, now, article_id, partner],
            )
            queued.updates += 0 if hold else count
        return queued

    def _gate(self, partner: str, now: str) -> None:
        """Deliveries follow their article's hold: one not sent yet is held when
        its article is, and goes back in the queue when a later crawl fixed
        the copy or an operator released it."""
        self.commit(
            """update deliveries set status = 'held', updated_at = ?,
                 last_error = 'held: ' || (select hold from articles a
                                           where a.id = deliveries.article_id)
               where partner = ? and status = 'pending' and article_id in
                 (select id from articles where hold is not null)""",
            [now, partner],
        )
        self.commit(
            """update deliveries set status = 'pending', next_attempt_at = ?, last_error = null,
                 updated_at = ?
               where partner = ? and status = 'held' and article_id in
                 (select id from articles where hold is null)""",
            [now, now, partner],
        )

    def follow_withdrawals(
        self, now: str, *, partner: str | None = None, article_id: str | None = None
    ) -> int:
        """Deliveries of withdrawn articles follow them: owed a withdrawal when the
        partner may have the copy, else withdrawn at once (nothing to take down).
        Done for one article as it is withdrawn (whatever its deliveries' state),
        and for a partner's queue before each publish, which catches a withdrawal
        made while a delivery was on its way (there a ``failed`` delivery is left
        alone: it may be a withdrawal that failed, which waits for ``retry``).
        Returns the withdrawals owed."""
        if article_id is not None:
            scope, params = (
                "article_id = ? and status not in ('withdrawing', 'withdrawn')",
                [article_id],
            )
        else:
            scope = "partner = ? and status in ('pending', 'sending', 'held', 'sent', 'conflict')"
            params = [partner]
        owed = 0
        for status, condition, next_at in (
            ("withdrawing", MAY_HAVE_COPY, now),
            ("withdrawn", "1", None),
        ):
            count = self.commit(
                f"""update deliveries set status = ?, attempts = 0, next_attempt_at = ?,
                      last_error = null, updated_at = ?
                    where {scope} and ({condition}) and article_id in
                      (select id from articles where withdrawn_at is not null)""",
                [status, next_at, now, *params],
            )
            owed += count if status == "withdrawing" else 0
        return owed

    def due(self, partner: str, now: str | None = None) -> list[dict[str, Any]]:
        """Deliveries owed to the partner now, oldest article first, with the article."""
        now = now or self.now()
        rows = self.db.query(
            """select d.status as delivery_status, d.remote_id, d.remote_url, d.remote_key,
                 d.media_id, d.attempts, d.delivered_hash, d.remote_modified,
                 d.remote_fingerprint, d.withdrawn_at as delivery_withdrawn_at, a.*,
                 s.title as source_title
               from deliveries d join articles a on a.id = d.article_id
               left join sources s on s.name = a.source
               where d.partner = ? and d.status in ('pending', 'sending')
                 and a.withdrawn_at is null
                 and (d.next_attempt_at is null or d.next_attempt_at <= ?)
               order by a.published_at, a.first_seen_at""",
            [partner, now],
        )
        articles = []
        for row in rows:
            row["tags"] = json.loads(row["tags"] or "[]")
            row["teasers"] = self.store.teasers(row["id"])
            articles.append(row)
        return articles

    def withdrawals_due(self, partner: str, now: str | None = None) -> list[dict[str, Any]]:
        """Withdrawals owed to the partner now, with what the adapters need of the article."""
        return list(
            self.db.query(
                """select d.remote_id, d.remote_url, d.remote_key, d.attempts,
                 a.id, a.url, a.title, a.source, a.withdrawn_at,
                 coalesce(d.withdrawn_reason, a.withdrawn_reason) as withdrawn_reason
               from deliveries d join articles a on a.id = d.article_id
               where d.partner = ? and d.status = 'withdrawing'
                 and (d.next_attempt_at is null or d.next_attempt_at <= ?)
               order by a.withdrawn_at""",
                [partner, now or self.now()],
            )
        )

    def tombstones(self, partner: str, limit: int) -> list[dict[str, Any]]:
        """The partner's copies withdrawn or being withdrawn, newest first."""
        return list(
            self.db.query(
                """select a.id, coalesce(d.withdrawn_at, a.withdrawn_at) as withdrawn_at,
                 coalesce(d.withdrawn_reason, a.withdrawn_reason) as withdrawn_reason
               from deliveries d join articles a on a.id = d.article_id
               where d.partner = ? and d.status in ('withdrawing', 'withdrawn')
                 and d.remote_id is not null
               order by 2 desc limit ?""",
                [partner, limit],
            )
        )

    def waiting(self, partner: str) -> int:
        return self.db.execute(
            """select count(*) from deliveries
               where partner = ? and status in ('pending', 'sending', 'withdrawing')""",
            [partner],
        ).fetchone()[0]

    # -- transitions ------------------------------------------------------------

    def mark_sending(self, article_id: str, partner: str, remote_key: str) -> None:
        """About to send, with this idempotency key: kept from here on, so a retry
        after a lost answer or a crash uses the same one (the publisher decides
        when a delivery needs a new key: :func:`syndicator.publish.delivery_key`)."""
        now = self.now()
        self.commit(
            """update deliveries set status = 'sending', attempts = attempts + 1,
                 remote_key = ?, updated_at = ?
               where article_id = ? and partner = ?""",
            [remote_key, now, article_id, partner],
        )

    def mark_sent(
        self,
        article_id: str,
        partner: str,
        *,
        remote_id: str | None,
        remote_url: str | None,
        delivered_hash: str,
        media_id: str | None = None,
        modified: str | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """Sent; ``modified`` and ``fingerprint``: the copy as our write left it on
        the partner (WordPress), so a later edit there can be told from ours."""
        now = self.now()
        updated = self.db.execute(
            "select remote_id from deliveries where article_id = ? and partner = ?",
            [article_id, partner],
        ).fetchone()
        action = "updated" if updated and updated[0] else "sent"
        self.commit(
            """update deliveries set status = 'sent', remote_id = ?, remote_url = ?,
                 media_id = coalesce(?, media_id), delivered_hash = ?, last_error = null,
                 next_attempt_at = null, sent_at = ?, updated_at = ?, withdrawn_at = null,
                 first_sent_at = coalesce(first_sent_at, ?), remote_modified = ?,
                 remote_fingerprint = ?
               where article_id = ? and partner = ?""",
            [
                remote_id,
                remote_url,
                media_id,
                delivered_hash,
                now,
                now,
                now,
                modified,
                fingerprint,
                article_id,
                partner,
            ],
            event(action, article_id, partner, remote_url or remote_id, now),
        )

    def mark_withdrawal_sending(self, article_id: str, partner: str, remote_key: str) -> None:
        """About to carry the withdrawal to the partner, with this idempotency key."""
        self.commit(
            """update deliveries set attempts = attempts + 1, remote_key = ?, updated_at = ?
               where article_id = ? and partner = ? and status = 'withdrawing'""",
            [remote_key, self.now(), article_id, partner],
        )

    def mark_withdrawn(
        self, article_id: str, partner: str, how: str, remote_id: str | None = None
    ) -> None:
        """Taken down; ``remote_id``: the copy's id on the partner, when the
        withdrawal found one an earlier attempt created but never recorded."""
        now = self.now()
        self.commit(
            """update deliveries set status = 'withdrawn', withdrawn_at = ?, last_error = null,
                 next_attempt_at = null, updated_at = ?, remote_id = coalesce(remote_id, ?)
               where article_id = ? and partner = ? and status = 'withdrawing'""",
            [now, now, remote_id, article_id, partner],
            event("withdrawal_sent", article_id, partner, how, now),
        )

    def mark_retry(
        self,
        article_id: str,
        partner: str,
        error: str,
        next_attempt_at: str,
        media_id: str | None = None,
    ) -> None:
        # a withdrawal being retried stays one
        self.commit(
            """update deliveries set
                 status = case status when 'withdrawing' then status else 'pending' end,
                 last_error = ?, next_attempt_at = ?,
                 media_id = coalesce(?, media_id), updated_at = ?
               where article_id = ? and partner = ?""",
            [error, next_attempt_at, media_id, self.now(), article_id, partner],
        )

    def mark_failed(
        self, article_id: str, partner: str, error: str, status: str = "failed"
    ) -> None:
        self.commit(
            """update deliveries set status = ?, last_error = ?, next_attempt_at = null,
                 updated_at = ? where article_id = ? and partner = ?""",
            [status, error, self.now(), article_id, partner],
        )

    def mark_conflict(self, article_id: str, partner: str, why: str) -> None:
        """The partner edited its copy: the update waits for an operator's word."""
        now = self.now()
        self.commit(
            """update deliveries set status = 'conflict', last_error = ?,
                 next_attempt_at = null, updated_at = ?
               where article_id = ? and partner = ?""",
            [why, now, article_id, partner],
            event("conflict", article_id, partner, why, now),
        )

    def overwrite(self, partner: str, article_id: str | None = None) -> int:
        """``publish --overwrite``: the partner's conflicts (or the article's) are
        sent anyway, the partner's edit overwritten by ours."""
        rows = self.db.execute(
            """select article_id from deliveries where partner = ? and status = 'conflict'
                 and (? is null or article_id = ?)""",
            [partner, article_id, article_id],
        ).fetchall()
        now = self.now()
        for (conflicted,) in rows:
            self.commit(
                """update deliveries set status = 'pending', attempts = 0, next_attempt_at = ?,
                     remote_modified = null, last_error = null, updated_at = ?
                   where article_id = ? and partner = ? and status = 'conflict'""",
                [now, now, conflicted, partner],
                event("overwritten", conflicted, partner, OVERWRITTEN, now),
            )
        return len(rows)

    def mark_waiting(self, partner: str, error: str) -> None:
        """The partner refused our credentials: its owed deliveries stay owed,
        attempts untouched, with the reason to see; the next run tries again."""
        self.commit(
            """update deliveries set last_error = ?, updated_at = ?
               where partner = ? and status in ('pending', 'sending', 'withdrawing')""",
            [error, self.now(), partner],
        )

    def failed(self, partner: str) -> int:
        return self.db.execute(
            "select count(*) from deliveries where partner = ? and status = 'failed'", [partner]
        ).fetchone()[0]

    def requeue_failed(self, partner: str) -> int:
        now = self.now()
        # a withdrawn article's failure was its withdrawal's: that is what is retried
        return self.commit(
            """update deliveries set attempts = 0, next_attempt_at = ?, updated_at = ?,
                 status = case when withdrawn_reason is not null or article_id in
                   (select id from articles where withdrawn_at is not null)
                   then 'withdrawing' else 'pending' end
               where partner = ? and status = 'failed'""",
            [now, now, partner],
        )

    # -- summaries --------------------------------------------------------------

    def partner_status(self) -> list[dict[str, Any]]:
        sql = """
        select p.name as partner, p.kind, p.disabled_reason,
          sum(d.status = 'sent') as sent,
          sum(d.status in ('pending', 'sending')) as pending,
          sum(d.status = 'failed') as failed,
          sum(d.status = 'skipped') as skipped,
          sum(d.status = 'held') as held,
          sum(d.status = 'conflict') as conflicts,
          sum(d.status in ('withdrawing', 'withdrawn')) as withdrawn,
          max(d.sent_at) as last_sent,
          (select d2.last_error from deliveries d2 where d2.partner = p.name
             and d2.last_error is not null order by d2.updated_at desc limit 1) as last_error
        from partners p left join deliveries d on d.partner = p.name
        group by p.name order by p.name
        """
        return [
            {k: (v or 0) if k in COUNTED else v for k, v in row.items()}
            for row in self.db.query(sql)
        ]
