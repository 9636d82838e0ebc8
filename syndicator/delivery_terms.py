"""A source's terms applied to one partner's queue (``[[sources]]``
``embargo_hours`` and ``expire_days``; :mod:`syndicator.rights`).

Both are decided at ``now``, the publisher's clock, so a test can move time
instead of waiting:

- an embargo holds a first delivery back until the article's publication time
  (else its first sight) plus the source's hours: the delivery stays
  ``pending`` with ``next_attempt_at`` at the embargo's end and says why;
- an expiry takes a copy down from the partner the given days after its first
  delivery there: the delivery becomes ``withdrawing`` with the reason
  ``expired: …`` (:mod:`syndicator.lifecycle` carries it, as any withdrawal),
  and is never sent again.
"""

from __future__ import annotations

from collections.abc import Mapping

from syndicator.deliveries import EXPIRED, Deliveries, event

# ISO-8601 in UTC as the store writes it, from a julianday() in SQL
_ISO = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {})"


def embargo(deliveries: Deliveries, partner: str, hours: Mapping[str, float], now: str) -> int:
    """Hold back the first deliveries of the sources under embargo; returns how many wait."""
    waiting = 0
    for source, span in hours.items():
        if not span:
            continue
        until = _ISO.format("julianday(coalesce(a.published_at, a.first_seen_at)) + ?")
        waiting += deliveries.commit(
            f"""update deliveries set next_attempt_at = e.until,
                  last_error = 'embargoed until ' || e.until
                from (select a.id, {until} as until from articles a where a.source = ?) e
                where deliveries.article_id = e.id and deliveries.partner = ?
                  and deliveries.status = 'pending' and deliveries.attempts = 0
                  and deliveries.remote_id is null and e.until > ?""",
            [span / 24, source, partner, now],
        )
    return waiting


def expire(deliveries: Deliveries, partner: str, days: Mapping[str, float], now: str) -> int:
    """Owe a withdrawal of every copy that expired on the partner; returns how many."""
    expired = 0
    for source, span in days.items():
        if not span:
            continue
        rows = deliveries.db.execute(
            """select d.article_id from deliveries d join articles a on a.id = d.article_id
               where d.partner = ? and d.status = 'sent' and a.source = ?
                 and julianday(coalesce(d.first_sent_at, d.sent_at)) + ? <= julianday(?)""",
            [partner, source, span, now],
        ).fetchall()
        reason = f"{EXPIRED}: {span:g} days after its first delivery here (expire_days)"
        for (article_id,) in rows:
            expired += deliveries.commit(
                """update deliveries set status = 'withdrawing', withdrawn_reason = ?,
                     attempts = 0, next_attempt_at = ?, last_error = null, updated_at = ?
                   where article_id = ? and partner = ? and status = 'sent'""",
                [reason, now, now, article_id, partner],
                event("expired", article_id, partner, reason, now),
            )
    return expired
