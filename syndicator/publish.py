"""The republish step: deliver every stored article to every partner exactly once,
and an update whenever the article changes.

Partners run side by side (asyncio + httpx), each with its own concurrency
limit, timeouts and connection pool, so a partner that is down holds up no
other. A failed delivery is retried a few times within the run when the
failure looks brief, then scheduled for later with exponential backoff and
jitter (or after the partner's ``Retry-After``; either at most six hours), up
to the partner's ``max_attempts`` (:mod:`syndicator.publish_retries`); a
permanent failure (most 4xx, any redirect) is kept with the partner's message
for an operator.

A failure of our own (an answer the code did not expect, text a feed cannot
hold, a file that cannot be written) is that delivery's or that partner's,
recorded the same way, and the run goes on. Every error line passes the
partners' secrets through one :class:`~syndicator.logs.Redactor` before it is
stored or printed, as a partner may quote our credentials back.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from syndicator import __version__, delivery_terms, rights
from syndicator.config import AtomPartner, Config, ConfigError, WebhookPartner, WordPressPartner
from syndicator.dates import utc_now
from syndicator.deliveries import Deliveries, revision_hash
from syndicator.guarded_http import guarded_client
from syndicator.images import ClientsBySource
from syndicator.logs import Redactor, partner_secrets
from syndicator.partners import (
    PartnerConflict,
    PartnerError,
    unexpected_error,
)
from syndicator.publish_report import PartnerReport, PublishReport, summary_line
from syndicator.publish_retries import backoff_until, resting, tries
from syndicator.store import Store

MAX_ERROR = 500  # characters of an error line kept and printed

log = logging.getLogger(__name__)

AnyPartner = WordPressPartner | WebhookPartner | AtomPartner
__all__ = ["PartnerReport", "PublishReport", "Publisher", "summary_line"]


def secret_for(partner: AnyPartner) -> str:
    variable = getattr(partner, "password_env", None) or getattr(partner, "secret_env", None)
    if variable is None:
        return ""
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(
            f"partner {partner.name!r}: environment variable {variable} is not set "
            "(it holds the partner's secret)"
        )
    return value


class Publisher:
    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        dry_run: bool = False,
        on_event: Callable[[str, str], None] | None = None,
        run_id: int | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        # what the sources' terms decide (embargoes, expiry, what is due) is decided
        # at this clock's time; a test moves it instead of waiting
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = store
        self.run_id = run_id  # the publish run's row in ``runs``, for the notes it writes
        self.deliveries = Deliveries(store, dry_run=dry_run, clock=self._now)
        self.dry_run = dry_run
        # every error line passes it on its way to the store or the output
        self.redact = Redactor(partner_secrets(config))
        events = on_event or (lambda partner, text: None)
        self.on_event = lambda partner, text: events(partner, self.redact(text))
        # what is fetched on an article's behalf (its image) may reach only the
        # networks its own source allows, never another source's
        self.source_networks = {s.name: list(s.allow_networks) for s in config.sources}
        self.missing: dict[str, str] = {}  # partner -> why its secret cannot be had
        sources = config.sources
        self.withheld = [s.name for s in sources if s.republish == "none"]
        self.embargo_hours = {s.name: s.embargo_hours for s in sources if s.embargo_hours}
        self.expire_days = {s.name: s.expire_days for s in sources if s.expire_days}
        self.excerpts = {s.name: s for s in sources if s.republish == "excerpt"}
        self._renderer: Any = None

    def _now(self) -> str:
        return self.clock().astimezone(UTC).replace(microsecond=0).isoformat()

    async def run(self, partners: list[AnyPartner]) -> PublishReport:
        # a partner whose secret is missing cannot be sent to, nor planned for
        # (a dry run says what a real run would refuse); the others go on
        secrets: dict[str, str] = {}
        self.missing: dict[str, str] = {}
        for partner in partners:
            try:
                secrets[partner.name] = secret_for(partner)
            except ConfigError as exc:
                self.missing[partner.name] = str(exc)
        self.deliveries.sync_partners(
            [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "url": getattr(p, "url", None) or str(self.config.resolve(p.path)),
                }
                for p in self.config.partners
            ]
        )
        reports = await asyncio.gather(
            *(self._partner(p, secrets.get(p.name, "")) for p in partners)
        )
        if self.dry_run:
            self.store.db.rollback()
        return PublishReport(list(reports), self.dry_run)

    async def _partner(self, partner: AnyPartner, secret: str) -> PartnerReport:
        report = PartnerReport(partner.name, partner.kind)
        if partner.name in self.missing:
            report.errors.append(self._line(self.missing[partner.name]))
            self.on_event(partner.name, report.errors[-1])
            return report
        reason = self.deliveries.disabled_reason(partner.name)
        if reason:
            report.errors.append(self._line(f"{partner.name}: disabled: {reason}"))
            return report
        try:
            now = self._now()
            self.deliveries.enqueue(
                partner.name, partner.sources, partner.since, self.withheld, now
            )
            delivery_terms.embargo(self.deliveries, partner.name, self.embargo_hours, now)
            delivery_terms.expire(self.deliveries, partner.name, self.expire_days, now)
            due = [self._as_allowed(row) for row in self.deliveries.due(partner.name, now)]
            withdrawals = self.deliveries.withdrawals_due(partner.name, now)
            if isinstance(partner, AtomPartner):
                self._atom(partner, due, report, withdrawals)
            elif due or withdrawals:
                await self._send_all(partner, secret, due, report, withdrawals)
        except Exception as exc:
            # a failure of our own (deliveries and adapters record theirs as they
            # happen): it stops this partner, and no other
            log.debug("publishing to %s stopped", partner.name, exc_info=True)
            error = unexpected_error(exc, f"{partner.name}: publishing")
            report.errors.append(self._line(str(error)))
            self.on_event(partner.name, report.errors[-1])
        report.waiting = self.deliveries.waiting(partner.name)
        # failed in earlier runs and not re-queued: said on every run until they are
        report.failed_before = self.deliveries.failed(partner.name) - report.failed
        return report

    # -- Atom -----------------------------------------------------------------------

    def _atom(
        self,
        partner: AtomPartner,
        due: list[dict[str, Any]],
        report: PartnerReport,
        withdrawals: list[dict[str, Any]],
    ) -> None:
        from syndicator.partners.atom import entry_id, write_feed

        path = self.config.resolve(partner.path)
        if not due and not withdrawals and path.exists():
            return
        ids = [
            row[0]
            for row in self.store.db.execute(
                """select d.article_id from deliveries d join articles a on a.id = d.article_id
               where d.partner = ? and d.status in ('sent', 'pending', 'sending')
               -- no article was published after we first saw it: a date in the future
               -- (in a store from before normalise clamped them) cannot hold the top
               order by min(coalesce(a.published_at, a.first_seen_at), a.first_seen_at) desc
               limit ?""",
                [partner.name, partner.entries],
            )
        ]
        articles = [self._article(article_id) for article_id in ids]
        # withdrawn copies stay in the feed as tombstones (RFC 6721), so a reader
        # that has the entry learns to take it down
        tombstones = self.deliveries.tombstones(partner.name, partner.entries)
        if self.dry_run:
            report.planned.append(
                f"would write {len(articles)} entries and {len(tombstones)} withdrawn to {path}"
            )
            return
        try:
            left_out = write_feed(partner, path, articles, self.config.publisher.name, tombstones)
        except Exception as exc:
            log.debug("writing %s failed", path, exc_info=True)
            error = unexpected_error(exc, f"{partner.name}: {path}")
            self._partner_failed(partner, due, error, report)
            return
        for row in due:
            if row["id"] in left_out:
                why = f"{partner.name}: left out of the feed: {left_out[row['id']]}"
                failure = PartnerError(why, permanent=True)
                self._record_failure(partner, row, failure, report, attempts=row["attempts"] + 1)
                continue
            self.deliveries.mark_sent(
                row["id"],
                partner.name,
                remote_id=entry_id(row["id"]),
                remote_url=str(path),
                delivered_hash=revision_hash(row),
            )
            self._count(report, row)
        for row in withdrawals:
            self.deliveries.mark_withdrawn(row["id"], partner.name, f"tombstone in {path}")
            report.withdrawn += 1
        written = len(articles) - len(left_out)
        self.on_event(partner.name, f"wrote {written} entries to {path}")

    def _article(self, article_id: str) -> dict[str, Any]:
        row = self.store.article(article_id) or {}
        source = self.store.db.execute(
            "select title from sources where name = ?", [row.get("source")]
        ).fetchone()
        return self._as_allowed({**row, "source_title": source[0] if source else row.get("source")})

    def _as_allowed(self, row: dict[str, Any]) -> dict[str, Any]:
        """The article as its source's terms let partners have it: an ``excerpt``
        source's copy is its first words and a link, in every field a partner gets
        (rendered again here, so a source switched to excerpts since its articles
        were stored sends no more than that)."""
        source = self.excerpts.get(row.get("source") or "")
        if source is None:
            return row
        from pipelines.render import RenderPipeline

        if self._renderer is None:
            self._renderer = RenderPipeline(self.config, self.store)
        text, _ = rights.excerpt(row.get("body_text") or "", source.excerpt_words)
        return {**row, "republish_html": self._renderer.render_stored(row), "body_text": text}

    # -- HTTP partners ----------------------------------------------------------------

    def _client(self, partner: AnyPartner, allowed: list[Any], hint: str) -> httpx.AsyncClient:
        return guarded_client(
            allowed,
            hint,
            timeout=partner.timeout,
            connections=partner.concurrency,
            user_agent=f"syndicator/{__version__} (+{self.config.publisher.contact_url})",
        )

    async def _send_all(
        self,
        partner: AnyPartner,
        secret: str,
        due: list[dict[str, Any]],
        report: PartnerReport,
        withdrawals: list[dict[str, Any]],
    ) -> None:
        if self.dry_run:
            for row in withdrawals:
                reason = row["withdrawn_reason"]
                report.planned.append(f"would withdraw {row['title']!r} ({reason})")
            for row in due:
                action = "update" if row["remote_id"] else "create"
                report.planned.append(f"would {action} {row['title']!r} ({row['url']})")
            return
        hint = f"list its network in partner {partner.name!r}'s allow_networks"

        def image_client(source: str) -> httpx.AsyncClient:
            networks = self.source_networks.get(source, [])  # a source gone from the config: none
            allow = f"list its network in source {source!r}'s allow_networks"
            return self._client(partner, networks, allow)

        async with (
            self._client(partner, list(partner.allow_networks), hint) as client,
            ClientsBySource(image_client) as images,
        ):
            try:
                adapter = self._adapter(partner, client, secret, images)
                await adapter.open()
            except PartnerError as exc:
                self._partner_failed(partner, [*withdrawals, *due], exc, report)
                return
            except Exception as exc:  # ours, on an answer we did not expect
                log.debug("opening %s failed", partner.name, exc_info=True)
                error = unexpected_error(exc, f"{partner.name}: connecting")
                self._partner_failed(partner, [*withdrawals, *due], error, report)
                return
            limit = asyncio.Semaphore(partner.concurrency)
            breaker = {"failures": 0, "stopped": 0}

            async def one(row: dict[str, Any], withdrawal: bool) -> None:
                async with limit:
                    if withdrawal:
                        await self._withdraw(partner, adapter, row, report, breaker)
                    else:
                        await self._deliver(partner, adapter, row, report, breaker)

            # takedowns first: a partner that goes down mid-run has had them
            await asyncio.gather(*(one(row, True) for row in withdrawals))
            await asyncio.gather(*(one(row, False) for row in due))

    def _adapter(
        self, partner: AnyPartner, client: httpx.AsyncClient, secret: str, images: ClientsBySource
    ) -> Any:
        if isinstance(partner, WordPressPartner):
            from syndicator.partners.wordpress import WordPressAdapter

            def left_out(article: dict[str, Any], kind: str, why: str) -> None:
                why = self._line(why)  # it may quote the partner's answer
                self.store.record_note(
                    article["url"],
                    kind,
                    why,
                    source=article.get("source"),
                    article_id=article["id"],
                    partner=partner.name,
                    run_id=self.run_id,
                )
                what = "the image" if kind == "image_left_out" else "a term"
                self.on_event(partner.name, f"left out {what} of {article['title']!r}: {why}")

            return WordPressAdapter(partner, client, secret, images, left_out)
        from syndicator.partners.webhook import WebhookAdapter

        return WebhookAdapter(partner, client, secret)

    def _partner_failed(
        self,
        partner: AnyPartner,
        due: list[dict[str, Any]],
        exc: PartnerError,
        report: PartnerReport,
    ) -> None:
        """The partner cannot be used at all this run (down, or refusing our login)."""
        report.errors.append(self._line(str(exc)))
        if exc.credentials:  # no article's fault: they wait for credentials that work
            self.deliveries.mark_waiting(partner.name, self._line(str(exc)))
            report.retrying += len(due)
            return
        for row in due:
            self._record_failure(partner, row, exc, report, attempts=row["attempts"] + 1)

    async def _deliver(
        self,
        partner: AnyPartner,
        adapter: Any,
        row: dict[str, Any],
        report: PartnerReport,
        breaker: dict[str, int],
    ) -> None:
        if resting(breaker, report):
            return
        article = dict(row)

        def remember_media(media_id: str) -> None:
            article["media_id"] = media_id  # an in-run retry must not upload it again

        async def attempt() -> Any:
            article["remote_key"] = delivery_key(adapter, article)
            self.deliveries.mark_sending(article["id"], partner.name, article["remote_key"])
            try:
                return await adapter.deliver(article, remember_media)
            finally:
                # from now on an earlier attempt may have created the post
                article["attempts"] += 1

        try:
            result = await tries(attempt)
        except PartnerConflict as exc:
            # an editor's change on the partner's side: not overwritten unasked
            self.deliveries.mark_conflict(row["id"], partner.name, self._line(str(exc)))
            report.conflicts += 1
            self.on_event(partner.name, f"conflict on {row['title']!r}: {self._line(str(exc))}")
            return
        except Exception as exc:
            self._attempts_failed(partner, row, article, exc, report, breaker, "delivering")
            return
        breaker["failures"] = 0
        self.deliveries.mark_sent(
            row["id"],
            partner.name,
            remote_id=result.remote_id,
            remote_url=result.remote_url,
            delivered_hash=revision_hash(row),
            media_id=result.media_id,
            modified=result.modified,
            fingerprint=result.fingerprint,
        )
        self._count(report, row)
        verb = "updated" if row["remote_id"] else "sent"
        target = result.remote_url or result.remote_id
        self.on_event(partner.name, f"{verb} {row['title']!r} -> {target}")

    async def _withdraw(
        self,
        partner: AnyPartner,
        adapter: Any,
        row: dict[str, Any],
        report: PartnerReport,
        breaker: dict[str, int],
    ) -> None:
        """Carry one withdrawal to the partner: its key is stored before the first
        request, so a retry (after a crash too) is the same withdrawal."""
        if resting(breaker, report):
            return
        article = dict(row)

        async def attempt() -> tuple[str, str | None]:
            article["remote_key"] = adapter.withdrawal_key(article)
            self.deliveries.mark_withdrawal_sending(
                article["id"], partner.name, article["remote_key"]
            )
            try:
                return await adapter.withdraw(article)
            finally:
                article["attempts"] += 1

        try:
            how, remote_id = await tries(attempt)
        except Exception as exc:
            self._attempts_failed(partner, row, article, exc, report, breaker, "withdrawing")
            return
        breaker["failures"] = 0
        self.deliveries.mark_withdrawn(row["id"], partner.name, how, remote_id)
        report.withdrawn += 1
        self.on_event(partner.name, f"withdrew {row['title']!r}: {how}")

    def _attempts_failed(
        self,
        partner: AnyPartner,
        row: dict[str, Any],
        article: dict[str, Any],
        exc: Exception,
        report: PartnerReport,
        breaker: dict[str, int],
        doing: str,
    ) -> None:
        """A delivery's or a withdrawal's tries failed. The breaker counts the
        partner's transport failures; our own code's failure (an answer it did not
        expect, a value it cannot send) is this row's, no other's."""
        if isinstance(exc, PartnerError):
            if exc.status is None:
                breaker["failures"] += 1
            if exc.disable:
                breaker["stopped"] = 1
        else:
            log.debug("%s %s to %s failed", doing, row["id"], partner.name, exc_info=True)
            exc = unexpected_error(exc, f"{partner.name}: {doing} {row['title']!r}")
        self._record_failure(
            partner,
            row,
            exc,
            report,
            attempts=article["attempts"],
            media_id=article.get("media_id"),
        )

    def _record_failure(
        self,
        partner: AnyPartner,
        row: dict[str, Any],
        exc: PartnerError,
        report: PartnerReport,
        attempts: int,
        media_id: str | None = None,
    ) -> None:
        message = self._line(str(exc))
        if exc.disable:
            self.deliveries.disable(partner.name, message)
        if exc.credentials:
            # refused our login or role mid-run: tried again next run, as it was
            self.deliveries.mark_retry(row["id"], partner.name, message, utc_now(), media_id)
            report.retrying += 1
        elif exc.permanent:
            self.deliveries.mark_failed(row["id"], partner.name, message)
            report.failed += 1
        elif attempts >= partner.max_attempts:
            self.deliveries.mark_failed(
                row["id"], partner.name, f"gave up after {attempts} attempts: {message}"
            )
            report.failed += 1
        else:
            self.deliveries.mark_retry(
                row["id"], partner.name, message, backoff_until(attempts, exc.retry_after), media_id
            )
            report.retrying += 1
        if message not in report.errors:
            report.errors.append(message)
        self.on_event(partner.name, f"failed {row['title']!r}: {message}")

    def _line(self, text: str) -> str:
        """An error as it is stored and printed: one line, secrets redacted, not too long."""
        line = self.redact(" ".join(text.split()))
        return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"

    def _count(self, report: PartnerReport, row: dict[str, Any]) -> None:
        if row["remote_id"]:
            report.updated += 1
        else:
            report.new += 1


def delivery_key(adapter: Any, article: dict[str, Any]) -> str:
    """The delivery's idempotency key (``deliveries.remote_key``), stored before
    the first request goes out. The stored key stays while the adapter keeps it:
    a WordPress post's slug for the article's life; a webhook's message id for
    one delivery (its ``keeps_key`` says when a new delivery needs a new one)."""
    stored = article.get("remote_key")
    keeps = getattr(adapter, "keeps_key", None)
    if stored and (keeps is None or keeps(article, stored)):
        return stored
    return adapter.remote_key(article)
