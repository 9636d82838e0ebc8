"""The republish step: deliver every stored article to every partner exactly once,
and an update whenever the article changes.

Partners run side by side (asyncio + httpx), each with its own concurrency
limit, timeouts and connection pool, so a partner that is down holds up no
other. A failed delivery is retried a few times within the run when the
failure looks brief, then scheduled for later with exponential backoff and
jitter (or after the partner's ``Retry-After``), up to the partner's
``max_attempts``; a permanent failure (most 4xx) is kept with the partner's
message for an operator.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from syndicator import __version__
from syndicator.config import AtomPartner, Config, ConfigError, WebhookPartner, WordPressPartner
from syndicator.deliveries import Deliveries, revision_hash
from syndicator.guarded_http import GuardedNetworkBackend, guarded_transport
from syndicator.netguard import httpx_guard
from syndicator.partners import PartnerError
from syndicator.store import Store

IN_RUN_TRIES = 3
IN_RUN_MAX_WAIT = 10.0  # seconds; a longer Retry-After is honoured in a later run
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
BREAKER_AFTER = 3  # consecutive transport failures after which a partner rests until next run

AnyPartner = WordPressPartner | WebhookPartner | AtomPartner


@dataclass
class PartnerReport:
    name: str
    kind: str
    new: int = 0
    updated: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.retrying or self.failed or self.errors)


@dataclass
class PublishReport:
    partners: list[PartnerReport]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.partners)

    def total(self, attribute: str) -> int:
        return sum(getattr(p, attribute) for p in self.partners)

    @property
    def nothing_done(self) -> bool:
        return not any(
            p.new or p.updated or p.retrying or p.failed or p.errors or p.planned
            for p in self.partners
        )


def backoff_until(attempts: int, retry_after: float | None) -> str:
    """When to try again: the partner's Retry-After, else exponential backoff with jitter."""
    if retry_after is not None:
        delay = retry_after
    else:
        delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
        delay *= random.uniform(0.75, 1.25)
    return (datetime.now(UTC) + timedelta(seconds=delay)).replace(microsecond=0).isoformat()


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


def _transient(exc: BaseException) -> bool:
    return (
        isinstance(exc, PartnerError)
        and not exc.permanent
        and (exc.retry_after or 0) <= IN_RUN_MAX_WAIT
    )


def _wait(state: Any) -> float:
    exc = state.outcome.exception()
    if isinstance(exc, PartnerError) and exc.retry_after is not None:
        return exc.retry_after
    return min(0.5 * 2 ** (state.attempt_number - 1), 4.0) * random.uniform(0.5, 1.5)


class Publisher:
    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        dry_run: bool = False,
        on_event: Callable[[str, str], None] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.deliveries = Deliveries(store, dry_run=dry_run)
        self.dry_run = dry_run
        self.on_event = on_event or (lambda partner, text: None)
        self.source_networks = [n for s in config.sources for n in s.allow_networks]

    async def run(self, partners: list[AnyPartner]) -> PublishReport:
        secrets = {} if self.dry_run else {p.name: secret_for(p) for p in partners}
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
        reason = self.deliveries.disabled_reason(partner.name)
        if reason:
            report.errors.append(f"{partner.name}: disabled: {reason}")
            return report
        self.deliveries.enqueue(partner.name, partner.sources, partner.since)
        due = self.deliveries.due(partner.name)
        if isinstance(partner, AtomPartner):
            self._atom(partner, due, report)
        elif due:
            await self._send_all(partner, secret, due, report)
        report.waiting = self.deliveries.waiting(partner.name)
        return report

    # -- Atom -----------------------------------------------------------------------

    def _atom(self, partner: AtomPartner, due: list[dict[str, Any]], report: PartnerReport) -> None:
        from syndicator.partners.atom import entry_id, write_feed

        path = self.config.resolve(partner.path)
        if not due and path.exists():
            return
        ids = [
            row[0]
            for row in self.store.db.execute(
                """select d.article_id from deliveries d join articles a on a.id = d.article_id
               where d.partner = ? and d.status in ('sent', 'pending', 'sending')
               order by coalesce(a.published_at, a.first_seen_at) desc limit ?""",
                [partner.name, partner.entries],
            )
        ]
        articles = [self._article(article_id) for article_id in ids]
        if self.dry_run:
            report.planned.append(f"would write {len(articles)} entries to {path}")
            return
        write_feed(partner, path, articles, self.config.publisher.name)
        for row in due:
            self.deliveries.mark_sent(
                row["id"],
                partner.name,
                remote_id=entry_id(row["id"]),
                remote_url=str(path),
                delivered_hash=revision_hash(row),
            )
            self._count(report, row)
        self.on_event(partner.name, f"wrote {len(articles)} entries to {path}")

    def _article(self, article_id: str) -> dict[str, Any]:
        row = self.store.article(article_id) or {}
        source = self.store.db.execute(
            "select title from sources where name = ?", [row.get("source")]
        ).fetchone()
        return {**row, "source_title": source[0] if source else row.get("source")}

    # -- HTTP partners ----------------------------------------------------------------

    def _client(self, partner: AnyPartner, allowed: list[Any], hint: str) -> httpx.AsyncClient:
        timeout = httpx.Timeout(partner.timeout, connect=min(10.0, partner.timeout))
        limits = httpx.Limits(
            max_connections=partner.concurrency, max_keepalive_connections=partner.concurrency
        )
        return httpx.AsyncClient(
            timeout=timeout,
            limits=limits,
            # connections go only to addresses judged when they are made ...
            transport=guarded_transport(GuardedNetworkBackend(allowed, hint), limits),
            headers={
                "User-Agent": f"syndicator/{__version__} (+{self.config.publisher.contact_url})"
            },
            # ... and a proxy from the environment, which resolves names itself,
            # is not asked to reach a URL whose host is refused here
            event_hooks={"request": [httpx_guard(allowed, hint)]},
        )

    async def _send_all(
        self, partner: AnyPartner, secret: str, due: list[dict[str, Any]], report: PartnerReport
    ) -> None:
        if self.dry_run:
            for row in due:
                action = "update" if row["remote_id"] else "create"
                report.planned.append(f"would {action} {row['title']!r} ({row['url']})")
            return
        hint = f"list its network in partner {partner.name!r}'s allow_networks"
        async with (
            self._client(partner, list(partner.allow_networks), hint) as client,
            self._client(partner, self.source_networks, "allow the source's network") as images,
        ):
            try:
                adapter = self._adapter(partner, client, secret, images)
                await adapter.open()
            except PartnerError as exc:
                self._partner_failed(partner, due, exc, report)
                return
            limit = asyncio.Semaphore(partner.concurrency)
            breaker = {"failures": 0, "stopped": 0}

            async def one(row: dict[str, Any]) -> None:
                async with limit:
                    await self._deliver(partner, adapter, row, report, breaker)

            await asyncio.gather(*(one(row) for row in due))

    def _adapter(
        self, partner: AnyPartner, client: httpx.AsyncClient, secret: str, images: httpx.AsyncClient
    ) -> Any:
        if isinstance(partner, WordPressPartner):
            from syndicator.partners.wordpress import WordPressAdapter

            return WordPressAdapter(partner, client, secret, images)
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
        report.errors.append(str(exc))
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
        if breaker["failures"] >= BREAKER_AFTER or breaker.get("stopped"):
            report.retrying += 0 if breaker.get("stopped") else 1
            return  # the partner looks down, or said to stop: leave the rest for later
        article = dict(row)

        def remember_media(media_id: str) -> None:
            article["media_id"] = media_id  # an in-run retry must not upload it again

        async def attempt() -> Any:
            article["remote_key"] = article["remote_key"] or adapter.remote_key(article)
            self.deliveries.mark_sending(article["id"], partner.name, article["remote_key"])
            try:
                return await adapter.deliver(article, remember_media)
            finally:
                # from now on an earlier attempt may have created the post
                article["attempts"] += 1

        try:
            async for retry in AsyncRetrying(
                stop=stop_after_attempt(IN_RUN_TRIES),
                wait=_wait,
                retry=retry_if_exception(_transient),
                reraise=True,
            ):
                with retry:
                    result = await attempt()
        except PartnerError as exc:
            if exc.status is None:
                breaker["failures"] += 1
            if exc.disable:
                breaker["stopped"] = 1
            self._record_failure(
                partner,
                row,
                exc,
                report,
                attempts=article["attempts"],
                media_id=article.get("media_id"),
            )
            return
        breaker["failures"] = 0
        self.deliveries.mark_sent(
            row["id"],
            partner.name,
            remote_id=result.remote_id,
            remote_url=result.remote_url,
            delivered_hash=revision_hash(row),
            media_id=result.media_id,
        )
        self._count(report, row)
        verb = "updated" if row["remote_id"] else "sent"
        target = result.remote_url or result.remote_id
        self.on_event(partner.name, f"{verb} {row['title']!r} -> {target}")

    def _record_failure(
        self,
        partner: AnyPartner,
        row: dict[str, Any],
        exc: PartnerError,
        report: PartnerReport,
        attempts: int,
        media_id: str | None = None,
    ) -> None:
        message = str(exc)
        if exc.disable:
            self.deliveries.disable(partner.name, message)
        if exc.permanent:
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

    def _count(self, report: PartnerReport, row: dict[str, Any]) -> None:
        if row["remote_id"]:
            report.updated += 1
        else:
            report.new += 1


def summary_line(report: PublishReport, seconds: float) -> str:
    if report.dry_run:
        planned = sum(len(p.planned) for p in report.partners)
        return f"publish dry run: {planned} planned action{'s' * (planned != 1)}; nothing was sent"
    sent = report.total("new") + report.total("updated")
    head = "publish finished" if report.ok else "publish finished with failures"
    line = (
        f"{head}; {sent} sent ({report.total('new')} new, {report.total('updated')} "
        f"updates), {report.total('retrying')} to retry, {report.total('failed')} failed, "
        f"to {len(report.partners)} partner{'s' * (len(report.partners) != 1)} "
        f"in {seconds:.1f}s"
    )
    errors = [e for p in report.partners for e in p.errors]
    if errors:
        line += (
            "; "
            + "; ".join(errors[:3])
            + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")
        )
    return line
