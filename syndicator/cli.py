"""The ``syndicator`` command.

Exit codes: 0 all well, 1 a source failed entirely or a delivery failed (or
a command could not do its job), 2 the configuration is unusable, 3 another
run holds the lock. The crawl stack is imported only by the
commands that crawl, so ``--help`` and ``status`` start fast.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from syndicator import __version__
from syndicator.config import Config, ConfigError, config_path, load_config

if TYPE_CHECKING:
    from syndicator.store import Store

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3


class Context:
    def __init__(self, config_file: str | None, verbose: int, quiet: bool) -> None:
        self.config_file = config_file
        self.verbose = verbose
        self.quiet = quiet

    def config(self) -> Config:
        try:
            return load_config(self.config_file)
        except ConfigError as exc:
            fail(str(exc), EXIT_CONFIG)

    def existing_store(self) -> tuple[Config, Store]:
        """The config and its store, for commands that only read what a crawl wrote."""
        from syndicator.store import Store

        config = self.config()
        if not config.store_path.exists():
            fail(f"no store at {config.store_path} yet: run `syndicator crawl` first")
        return config, Store(config.store_path)

    @property
    def log_level(self) -> str:
        if self.quiet:
            return "ERROR"
        return {0: "WARNING", 1: "INFO"}.get(self.verbose, "DEBUG")


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"syndicator: error: {message}", err=True)
    sys.exit(code)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@click.option(
    "--config",
    "config_file",
    metavar="PATH",
    envvar="SYNDICATOR_CONFIG",
    help="Config file (default: $SYNDICATOR_CONFIG, else data/syndicator.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, verbose: int, quiet: bool) -> None:
    """Crawl news sources and republish clean, attributed copies to partner sites."""
    ctx.obj = Context(config_file, verbose, quiet)


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Crawl only this source (repeatable). Default: every enabled source.",
)
@pass_context
def crawl(ctx: Context, sources: tuple[str, ...]) -> None:
    """Fetch new and changed articles from the sources into the store.

    Ends with a one-line summary; exits 1 when a source failed entirely.

        syndicator crawl
        syndicator crawl --source riverside-herald
    """
    config = ctx.config()
    run = _crawl(ctx, config, sources)
    sys.exit(EXIT_FAILED if run.get("status") != "ok" else EXIT_OK)


def _crawl(
    ctx: Context, config: Config, sources: tuple[str, ...], quiet_if_idle: bool = False
) -> dict[str, Any]:
    from syndicator.crawl import run_crawl, summary_line

    started = time.monotonic()
    try:
        run = run_crawl(config, sources, log_level=ctx.log_level)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
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
        fail(str(exc), EXIT_CONFIG)
    return [partner for partner in config.partners if partner.enabled]


def _publish(ctx: Context, config: Config, names: tuple[str, ...], dry_run: bool) -> bool:
    """Publish; print the summary; True when every delivery went well."""
    import asyncio

    from syndicator.progress import reporter
    from syndicator.publish import Publisher, summary_line
    from syndicator.store import Store

    partners = _partners(config, names)
    started = time.monotonic()
    store = Store(config.store_path)
    run_id = None if dry_run else store.start_run("publish")
    try:
        with reporter(ctx.quiet or dry_run) as progress:
            publisher = Publisher(config, store, dry_run=dry_run, on_event=progress.event)
            report = asyncio.run(publisher.run(partners))
    except ConfigError as exc:
        if run_id is not None:
            store.finish_run(run_id, "failed", {}, str(exc))
        fail(str(exc), EXIT_CONFIG)
    if run_id is not None:
        counts = {
            "sent": report.total("new"),
            "updated": report.total("updated"),
            "retrying": report.total("retrying"),
            "failed": report.total("failed"),
            "partners": {
                p.name: {
                    "new": p.new,
                    "updated": p.updated,
                    "retrying": p.retrying,
                    "failed": p.failed,
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
@pass_context
def publish(ctx: Context, partners: tuple[str, ...], dry_run: bool) -> None:
    """Deliver stored articles to the partners: new posts once, updates when they change.

    syndicator publish
    syndicator publish --partner partner-wp --dry-run
    """
    ok = _publish(ctx, ctx.config(), partners, dry_run)
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


@cli.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Crawl only this source.")
@click.option(
    "--partner", "partners", multiple=True, metavar="NAME", help="Publish only to this partner."
)
@pass_context
def run(ctx: Context, sources: tuple[str, ...], partners: tuple[str, ...]) -> None:
    """Crawl, then publish: the command for cron. An overlapping run exits at once (code 3).

    */10 * * * * cd /srv/syndicator && .venv/bin/syndicator --quiet run
    """
    from filelock import FileLock, Timeout

    config = ctx.config()
    _partners(config, partners)  # unknown names fail before the crawl
    lock_path = config.store_path.with_name(config.store_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock_path, timeout=0):
            crawled = _crawl(ctx, config, sources, quiet_if_idle=True)
            ok = _publish(ctx, config, partners, dry_run=False)
    except Timeout:
        fail(f"another run holds the lock {lock_path}; not starting", EXIT_LOCKED)
    sys.exit(EXIT_OK if ok and crawled.get("status") == "ok" else EXIT_FAILED)


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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """Show each source's articles, drops, last fetch and last error, and the last run.

    syndicator status
    syndicator status --json | jq .
    """
    from syndicator.deliveries import Deliveries

    config, store = ctx.existing_store()
    try:
        rows, last_run = store.source_status(), store.last_run()
        partners = Deliveries(store).partner_status()
    finally:
        store.close()
    if as_json:
        click.echo(
            json.dumps({"sources": rows, "partners": partners, "last_run": last_run}, indent=2)
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Store {config.store_path}")
    for column in ("source", "articles", "drops", "newest article", "last fetch", "last error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["source"] + ("" if row["enabled"] else " (disabled)"),
            str(row["articles"]),
            str(row["drops"]),
            row["newest"] or "-",
            row["last_fetch"] or "-",
            row["last_error"] or "",
        )
    console = Console()
    console.print(table)
    if partners:
        deliveries = Table(title="Partners")
        for column in ("partner", "kind", "sent", "pending", "failed", "last sent", "last error"):
            deliveries.add_column(column, overflow="fold")
        for row in partners:
            name = row["partner"] + (" (disabled)" if row["disabled_reason"] else "")
            deliveries.add_row(
                name,
                row["kind"],
                str(row["sent"]),
                str(row["pending"]),
                str(row["failed"]),
                row["last_sent"] or "-",
                row["disabled_reason"] or row["last_error"] or "",
            )
        console.print(deliveries)
    if last_run:
        console.print(
            f"Last run: {last_run['command']} #{last_run['id']} {last_run['status']} "
            f"at {last_run['started_at']} {last_run['counts'] or ''}",
            highlight=False,
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--limit", default=50, show_default=True, help="Clusters to show, newest first.")
@pass_context
def duplicates(ctx: Context, as_json: bool, limit: int) -> None:
    """List clusters of copies of the same story: the canonical article and its duplicates.

    syndicator duplicates
    syndicator duplicates --json | jq '.[] | {title, copies: (.duplicates | length)}'
    """
    config, store = ctx.existing_store()
    try:
        clusters = store.duplicate_clusters(limit)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(clusters, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Duplicate clusters in {config.store_path}")
    for column in ("article", "source", "title", "similarity"):
        table.add_column(column, overflow="fold")
    for cluster in clusters:
        table.add_row(
            cluster["id"], cluster["source"], cluster["title"] or "", "canonical", style="bold"
        )
        for dup in cluster["duplicates"]:
            table.add_row(
                f"  {dup['id']}",
                dup["source"],
                dup["title"] or "",
                f"{dup['similarity']:.2f}" if dup["similarity"] is not None else "",
            )
    Console().print(table)
    if not clusters and not ctx.quiet:
        click.echo("no duplicates stored")


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_context
def init(ctx: Context, path: Path | None, force: bool) -> None:
    """Write a commented example config to PATH (default: the config path).

    syndicator init my-config.toml
    """
    from importlib import resources

    target = path or config_path(ctx.config_file)
    if target.exists() and not force:
        fail(f"{target} exists already (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(resources.files("syndicator").joinpath("example.toml").read_text("utf-8"))
    if not ctx.quiet:
        click.echo(f"wrote {target}; edit it, then run: syndicator --config {target} crawl")


@cli.command()
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites and partners until interrupted."
)
@pass_context
def demo(ctx: Context, serve: bool) -> None:
    """Serve the bundled demo news sites and partners on 127.0.0.1, crawl, and publish.

    Uses data/syndicator.toml unless --config says otherwise. The demo
    partners (a WordPress-like site, a webhook receiver, an Atom file) keep
    their state in data/partners/, so a second run sends nothing new.

        syndicator demo
        syndicator demo --serve    # browse http://127.0.0.1:8301/ and http://127.0.0.1:8303/
    """
    from syndicator.demo import DemoPartners, demo_sites, show_store

    config = ctx.config()
    with demo_sites() as sites, DemoPartners(config.path.parent / "partners") as partners:
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
        crawled = _crawl(ctx, config, ())
        published = _publish(ctx, config, (), dry_run=False)
        if not ctx.quiet:
            show_store(config)
            partners.show()
    sys.exit(EXIT_OK if published and crawled.get("status") == "ok" else EXIT_FAILED)


def main() -> None:
    cli(prog_name="syndicator")
