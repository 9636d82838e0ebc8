"""The ``syndicator`` command.

Exit codes: 0 all well, 1 a source failed entirely or a delivery failed (or
a command could not do its job), 2 the configuration is unusable, 3 another
run, crawl or publish holds the store's lock. The crawl stack is imported only by the
commands that crawl, so ``--help`` and ``status`` start fast.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from syndicator import __version__, cli_lifecycle, cli_review, cli_setup, cli_store
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
from syndicator.cli_runs import (
    chosen_partners,
    crawl_step,
    overwrite_conflicts,
    publish_step,
    store_lock,
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
        run = crawl_step(ctx, config, sources)
    sys.exit(EXIT_FAILED if run.get("status") != "ok" else EXIT_OK)


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
        ok = publish_step(ctx, config, partners, dry_run)
    else:
        with store_lock(config):
            if overwrite:
                overwrite_conflicts(ctx, config, partners, article)
            ok = publish_step(ctx, config, partners, dry_run)
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


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
    chosen_partners(config, partners)  # unknown names fail before the crawl
    with store_lock(config):
        crawled = crawl_step(ctx, config, sources, quiet_if_idle=True)
        ok = publish_step(ctx, config, partners, dry_run=False)
    sys.exit(EXIT_OK if ok and crawled.get("status") == "ok" else EXIT_FAILED)


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
    chosen = chosen_partners(config, partners)
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


# the commands that read the store, and those an operator reviews copies with,
# live in their own modules
for _command in (
    *cli_store.COMMANDS,
    *cli_review.COMMANDS,
    *cli_lifecycle.COMMANDS,
    *cli_setup.COMMANDS,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="syndicator")
