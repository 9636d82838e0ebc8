"""The steps the crawling and publishing commands share (``crawl``, ``publish``,
``run``, ``demo``): one crawl or one publish with its summary line and its
``runs`` row, the partners a command names, the conflicts ``--overwrite``
sends anyway, and the store's lock that one writer holds at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from syndicator.cli_context import EXIT_LOCKED, Context, config_exit, fail
from syndicator.errors import ConfigError

if TYPE_CHECKING:
    from syndicator.config import Config


def crawl_step(
    ctx: Context, config: Config, sources: tuple[str, ...], quiet_if_idle: bool = False
) -> dict[str, Any]:
    from syndicator.crawl import run_crawl, summary_line

    if config.cluster is not None:  # seed the cluster's queue and wait for it
        from syndicator.cluster.coordinator import run_cluster_crawl as run_crawl
    started = time.monotonic()
    try:
        run = run_crawl(config, sources, log_level=ctx.log_level, log_format=ctx.log_format)
    except ConfigError as exc:
        fail(str(exc), config_exit(exc))
    line = summary_line(run, time.monotonic() - started, str(config.store_path))
    counts = run.get("counts", {})
    idle = not (counts.get("new") or counts.get("updated"))
    if run.get("status") != "ok":
        click.echo(line, err=True)
    elif not ctx.quiet or (quiet_if_idle and not idle):
        click.echo(line)
    return run


def chosen_partners(config: Config, names: tuple[str, ...]) -> list[Any]:
    try:
        if names:
            return [config.partner(name) for name in names]
    except ConfigError as exc:
        fail(str(exc), config_exit(exc))
    return [partner for partner in config.partners if partner.enabled]


def publish_step(ctx: Context, config: Config, names: tuple[str, ...], dry_run: bool) -> bool:
    """Publish; print the summary; True when every delivery went well."""
    import asyncio
    import traceback

    from syndicator.logs import Redactor, partner_secrets, stderr_logging
    from syndicator.progress import reporter
    from syndicator.publish import Publisher, summary_line
    from syndicator.store import Store

    partners = chosen_partners(config, names)
    started = time.monotonic()
    store = Store(config.store_path)
    run_id = None if dry_run else store.start_run("publish")
    redact = Redactor(partner_secrets(config))
    logs = stderr_logging(
        ctx.log_format,
        ctx.log_level,
        secrets=redact,
        context=lambda: {"command": "publish", "run_id": run_id},
    )
    try:
        with logs, reporter(ctx.quiet or dry_run) as progress:
            publisher = Publisher(
                config, store, dry_run=dry_run, on_event=progress.event, run_id=run_id
            )
            report = asyncio.run(publisher.run(partners))
    except ConfigError as exc:
        if run_id is not None:
            store.finish_run(run_id, "failed", {}, str(exc))
        fail(str(exc), config_exit(exc))
    except KeyboardInterrupt:
        if run_id is not None:
            store.finish_run(run_id, "interrupted", {}, "interrupted")
        raise
    except Exception as exc:
        # the publisher keeps each failure to its delivery or partner; what gets
        # here (a store that cannot be written, a bug) still ends the run's row
        # and is one line for cron, the traceback only with -vv
        line = redact(f"publish stopped: {type(exc).__name__}: {' '.join(str(exc).split())}")
        if run_id is not None:
            store.finish_run(run_id, "failed", {}, line[:1000])
        if ctx.verbose >= 2:
            click.echo(redact(traceback.format_exc()), err=True)
        fail(line)
    if run_id is not None:
        counts = {
            "sent": report.total("new"),
            "updated": report.total("updated"),
            "retrying": report.total("retrying"),
            "failed": report.total("failed"),
            "withdrawn": report.total("withdrawn"),
            "conflicts": report.total("conflicts"),
            "partners": {
                p.name: {
                    "new": p.new,
                    "updated": p.updated,
                    "retrying": p.retrying,
                    "failed": p.failed,
                    "withdrawn": p.withdrawn,
                    "conflicts": p.conflicts,
                    "waiting": p.waiting,
                }
                for p in report.partners
            },
        }
        errors = [e for p in report.partners for e in p.errors]
        store.finish_run(
            run_id, "ok" if report.ok else "failed", counts, "; ".join(errors)[:1000] or None
        )
    store.close()
    if dry_run:
        for partner in report.partners:
            for line in partner.planned:
                click.echo(f"{partner.name}: {line}")
            for line in partner.errors:
                click.echo(f"{partner.name}: {line}")
    line = summary_line(report, time.monotonic() - started)
    if not report.ok:
        click.echo(line, err=True)
    elif not (ctx.quiet and report.nothing_done):
        click.echo(line)
    return report.ok


def overwrite_conflicts(
    ctx: Context, config: Config, names: tuple[str, ...], article: str | None
) -> None:
    """Queue the chosen conflicts again, the partner's edit to be overwritten."""
    from syndicator.deliveries import Deliveries
    from syndicator.inspect import InspectError, find_article
    from syndicator.store import Store

    store = Store(config.store_path)
    try:
        article_id = find_article(store, article)["id"] if article else None
        deliveries = Deliveries(store)
        for partner in chosen_partners(config, names):
            count = deliveries.overwrite(partner.name, article_id)
            if not ctx.quiet:
                click.echo(f"{partner.name}: {count} edited on the partner, to be overwritten")
    except InspectError as exc:
        fail(str(exc))
    finally:
        store.close()


@contextmanager
def store_lock(config: Config) -> Iterator[None]:
    """The store's lock, held by one crawl, publish or run at a time: two at once
    would fight over the store ("database is locked"), and a cron run overlapping
    a slow one would send twice as fast as a partner allows. Exit 3 when held."""
    from filelock import FileLock, Timeout

    lock_path = config.store_path.with_name(config.store_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = FileLock(lock_path, timeout=0)
        lock.acquire()
    except Timeout:
        fail(
            f"another run, crawl or publish holds the lock {lock_path}; not starting",
            EXIT_LOCKED,
        )
    try:
        yield
    finally:
        lock.release()
