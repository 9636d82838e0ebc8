"""The ``syndicator`` command.

Exit codes: 0 all well, 1 a source failed entirely or a delivery failed (or
a command could not do its job), 2 the configuration is unusable, 3 another
run, crawl or publish holds the store's lock. The crawl stack is imported only by the
commands that crawl, so ``--help`` and ``status`` start fast.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from syndicator import __version__, cli_lifecycle, cli_review, cli_store
from syndicator.cli_context import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    Context,
    config_exit,
    fail,
    pass_context,
)
from syndicator.errors import ConfigError

if TYPE_CHECKING:
    from syndicator.config import Config


class _Syndicator(click.Group):
    """The command group, which also takes its own options after the command's
    name (``syndicator crawl --config x.toml``, ``syndicator run --quiet``), as
    people write them, in cron lines most of all."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_config(args))


_TAKES_VALUE = ("--config", "--log-format")  # the group's options that take a value
_FLAGS = re.compile(r"-q|--quiet|-v+|--verbose")  # and those that do not


def hoist_config(args: list[str]) -> list[str]:
    """``args`` with the group's options (``--config PATH``, ``--config=PATH``,
    ``--log-format``, ``-q``, ``-v``) that follow the command's name moved
    before it; nothing after ``--`` is touched. No command has options of
    these names, so none is taken from a command."""
    head: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        step = 2 if args[i] in _TAKES_VALUE else 1  # the group's own options
        head += args[i : i + step]
        i += step
    rest: list[str] = []
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in _TAKES_VALUE and i + 1 < len(args):
            head += args[i : i + 2]
            i += 2
            continue
        ours = _FLAGS.fullmatch(arg) or arg.startswith(tuple(f"{o}=" for o in _TAKES_VALUE))
        (head if ours else rest).append(arg)
        i += 1
    return head + rest


@click.group(cls=_Syndicator, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@click.option(
    "--config",
    "config_file",
    metavar="PATH",
    envvar="SYNDICATOR_CONFIG",
    help="Config file (default: $SYNDICATOR_CONFIG, else data/syndicator.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing unless something failed (run: or something was crawled or sent).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr: text, or one JSON object per line for log collectors.",
)
@click.pass_context
def cli(
    ctx: click.Context, config_file: str | None, verbose: int, quiet: bool, log_format: str
) -> None:
    """Crawl news sources and republish clean, attributed copies to partner sites."""
    ctx.obj = Context(config_file, verbose, quiet)
    ctx.obj.log_format = log_format
    ctx.obj.config_given = (
        ctx.get_parameter_source("config_file") is click.core.ParameterSource.COMMANDLINE
    )


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Crawl only this source (repeatable). Default: every enabled source.",
)
@click.option(
    "--worker", is_flag=True, help="Be a cluster worker: pull from the [cluster] Redis queue."
)
@click.option(
    "--max-idle",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="With --worker: stop after this long with nothing to do (default: never).",
)
@pass_context
def crawl(ctx: Context, sources: tuple[str, ...], worker: bool, max_idle: float) -> None:
    """Fetch new and changed articles from the sources into the store.

    Ends with a one-line summary; exits 1 when a source failed entirely.
    With [cluster], seeds the shared queue and waits until the workers and
    ingest are done; --worker makes this process one of the workers.

    \b
        syndicator crawl
        syndicator crawl --source riverside-herald
        syndicator crawl --worker
    """
    config = ctx.config()
    if worker:
        _worker(ctx, config, max_idle)  # no store here: the ingest process writes it
    with store_lock(config):
        run = _crawl(ctx, config, sources)
    sys.exit(EXIT_FAILED if run.get("status") != "ok" else EXIT_OK)


def _crawl(
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


def _partners(config: Config, names: tuple[str, ...]) -> list[Any]:
    try:
        if names:
            return [config.partner(name) for name in names]
    except ConfigError as exc:
        fail(str(exc), config_exit(exc))
    return [partner for partner in config.partners if partner.enabled]


def _publish(ctx: Context, config: Config, names: tuple[str, ...], dry_run: bool) -> bool:
    """Publish; print the summary; True when every delivery went well."""
    import asyncio
    import traceback

    from syndicator.logs import Redactor, partner_secrets, stderr_logging
    from syndicator.progress import reporter
    from syndicator.publish import Publisher, summary_line
    from syndicator.store import Store

    partners = _partners(config, names)
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


@cli.command()
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="NAME",
    help="Publish only to this partner (repeatable). Default: every enabled partner.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Send the updates held as conflicts (the partner edited its copy) anyway.",
)
@click.argument("article", required=False)
@pass_context
def publish(
    ctx: Context, partners: tuple[str, ...], dry_run: bool, overwrite: bool, article: str | None
) -> None:
    """Deliver stored articles to the partners: new posts once, updates when they change.

    An update of a WordPress post an editor changed on the partner is not sent:
    it is a conflict (syndicator deliveries --status conflict) until --overwrite
    sends it, for ARTICLE only (its id, an id prefix or its URL) or for all.

    \b
        syndicator publish
        syndicator publish --partner partner-wp --dry-run
        syndicator publish --overwrite --partner partner-wp 4555da47
    """
    config = ctx.config()
    if article and not overwrite:
        fail("ARTICLE is for --overwrite: publish sends every article that is due")
    if dry_run:  # changes nothing: no lock to take
        ok = _publish(ctx, config, partners, dry_run)
    else:
        with store_lock(config):
            if overwrite:
                _overwrite(ctx, config, partners, article)
            ok = _publish(ctx, config, partners, dry_run)
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


def _overwrite(ctx: Context, config: Config, names: tuple[str, ...], article: str | None) -> None:
    """Queue the chosen conflicts again, the partner's edit to be overwritten."""
    from syndicator.deliveries import Deliveries
    from syndicator.inspect import InspectError, find_article
    from syndicator.store import Store

    store = Store(config.store_path)
    try:
        article_id = find_article(store, article)["id"] if article else None
        deliveries = Deliveries(store)
        for partner in _partners(config, names):
            count = deliveries.overwrite(partner.name, article_id)
            if not ctx.quiet:
                click.echo(f"{partner.name}: {count} edited on the partner, to be overwritten")
    except InspectError as exc:
        fail(str(exc))
    finally:
        store.close()


@cli.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Crawl only this source.")
@click.option(
    "--partner", "partners", multiple=True, metavar="NAME", help="Publish only to this partner."
)
@pass_context
def run(ctx: Context, sources: tuple[str, ...], partners: tuple[str, ...]) -> None:
    """Crawl, then publish: the command for cron. An overlapping run exits at once (code 3).

    \b
        */10 * * * * cd /srv/syndicator && .venv/bin/syndicator run --quiet
    """
    config = ctx.config()
    _partners(config, partners)  # unknown names fail before the crawl
    with store_lock(config):
        crawled = _crawl(ctx, config, sources, quiet_if_idle=True)
        ok = _publish(ctx, config, partners, dry_run=False)
    sys.exit(EXIT_OK if ok and crawled.get("status") == "ok" else EXIT_FAILED)


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


def _cluster(config: Config, what: str) -> None:
    if config.cluster is None:
        fail(f"{config.path}: cluster: {what} needs a [cluster] table", EXIT_CONFIG)


def _worker(ctx: Context, config: Config, max_idle: float) -> NoReturn:
    from syndicator.cluster.processes import run_worker

    _cluster(config, "crawl --worker")
    try:
        run_worker(config, max_idle, log_level=ctx.log_level, log_format=ctx.log_format)
    except ConfigError as exc:
        fail(str(exc), config_exit(exc))
    sys.exit(EXIT_OK)


@cli.command()
@click.option(
    "--drain", is_flag=True, help="Stop once nothing is queued, in flight or waiting to be stored."
)
@pass_context
def ingest(ctx: Context, drain: bool) -> None:
    """Store what the cluster's workers crawled: the single writer of the store.

    Runs until stopped (or, with --drain, until the cluster is idle); exits 3
    when another ingest is running.

    \b
        syndicator ingest
    """
    from syndicator.cluster.processes import IngestLocked, run_ingest

    config = ctx.config()
    _cluster(config, "ingest")
    try:
        run_ingest(config, drain, log_level=ctx.log_level, log_format=ctx.log_format)
    except ConfigError as exc:
        fail(str(exc), config_exit(exc))
    except IngestLocked as exc:
        fail(str(exc), EXIT_LOCKED)


@cli.command()
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="NAME",
    required=True,
    help="The partner whose failed deliveries to re-queue (repeatable).",
)
@pass_context
def retry(ctx: Context, partners: tuple[str, ...]) -> None:
    """Re-queue a partner's failed deliveries (and re-enable it if it was disabled).

    \b
        syndicator retry --partner partner-wp
    """
    from syndicator.deliveries import Deliveries
    from syndicator.store import Store

    config = ctx.config()
    chosen = _partners(config, partners)
    store = Store(config.store_path)
    try:
        deliveries = Deliveries(store)
        for partner in chosen:
            deliveries.enable(partner.name)
            count = deliveries.requeue_failed(partner.name)
            if not ctx.quiet:
                click.echo(
                    f"{partner.name}: re-queued {count} failed "
                    f"deliver{'y' if count == 1 else 'ies'}; they go out with the next publish"
                )
    finally:
        store.close()


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_context
def init(ctx: Context, path: Path | None, force: bool) -> None:
    """Write a commented example config to PATH (default: the config path).

    \b
        syndicator init
        syndicator init my-config.toml
    """
    from importlib import resources

    from syndicator.config import config_path

    target = path or config_path(ctx.config_file)
    if target.exists() and not force:
        fail(f"{target} exists already (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(resources.files("syndicator").joinpath("example.toml").read_text("utf-8"))
    if not ctx.quiet:
        found = target == config_path(ctx.config_file)  # where commands look without --config
        then = "syndicator crawl" if found else f"syndicator --config {target} crawl"
        click.echo(f"wrote {target}; edit it, then run: {then}")


@cli.command()
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites and partners until interrupted."
)
@pass_context
def demo(ctx: Context, serve: bool) -> None:
    """Serve the bundled demo news sites and partners on 127.0.0.1, crawl, and publish.

    Uses the bundled data/demo/syndicator.toml (not $SYNDICATOR_CONFIG: your
    own config is never the demo's) unless --config names another. The demo
    keeps its store and its partners' state (a WordPress-like site, a webhook
    receiver, an Atom file) in data/demo/state/, so a second run sends
    nothing new.

    \b
        syndicator demo
        syndicator demo --serve    # browse http://127.0.0.1:8301/ and http://127.0.0.1:8303/
    """
    from syndicator.demo.bundled import DemoPartners, demo_config, demo_sites, show_store

    if not ctx.config_given:
        ctx.config_file = str(demo_config())
    config = ctx.config()
    partner_state = config.store_path.parent / "partners"
    with demo_sites() as sites, DemoPartners(partner_state) as partners:
        if not ctx.quiet:
            for site in sites.sites.values():
                click.echo(f"serving {site.name} at {site.url}/")
            click.echo(
                f"serving the demo WordPress partner at {partners.wordpress.url}/ "
                f"and the webhook partner at {partners.webhook.url}"
            )
        if serve:
            click.echo("press Ctrl-C to stop")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
        with store_lock(config):
            crawled = _crawl(ctx, config, ())
            published = _publish(ctx, config, (), dry_run=False)
        if not ctx.quiet:
            show_store(config)
            partners.show()
    sys.exit(EXIT_OK if published and crawled.get("status") == "ok" else EXIT_FAILED)


# the commands that read the store, and those an operator reviews copies with,
# live in their own modules
for _command in (*cli_store.COMMANDS, *cli_review.COMMANDS, *cli_lifecycle.COMMANDS):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="syndicator")
