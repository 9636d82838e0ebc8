"""The ``syndicator`` command.

Exit codes: 0 all well, 1 a source failed entirely (or a command failed),
2 the configuration is unusable. The crawl stack is imported only by the
commands that crawl, so ``--help`` and ``status`` start fast.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from syndicator import __version__
from syndicator.config import Config, ConfigError, config_path, load_config

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


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


def _crawl(ctx: Context, config: Config, sources: tuple[str, ...]) -> dict[str, Any]:
    from syndicator.crawl import run_crawl, summary_line

    started = time.monotonic()
    try:
        run = run_crawl(config, sources, log_level=ctx.log_level)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    line = summary_line(run, time.monotonic() - started, str(config.store_path))
    if run.get("status") != "ok":
        click.echo(line, err=True)
    elif not ctx.quiet:
        click.echo(line)
    return run


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """Show each source's articles, drops, last fetch and last error, and the last run.

    syndicator status
    syndicator status --json | jq .
    """
    from syndicator.store import Store

    config = ctx.config()
    if not config.store_path.exists():
        fail(f"no store at {config.store_path} yet: run `syndicator crawl` first")
    store = Store(config.store_path)
    try:
        rows, last_run = store.source_status(), store.last_run()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"sources": rows, "last_run": last_run}, indent=2))
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
    if last_run:
        console.print(
            f"Last run: {last_run['command']} #{last_run['id']} {last_run['status']} "
            f"at {last_run['started_at']} {last_run['counts'] or ''}",
            highlight=False,
        )


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
@click.option("--serve", is_flag=True, help="Only serve the demo sites until interrupted.")
@pass_context
def demo(ctx: Context, serve: bool) -> None:
    """Serve the bundled demo news sites on 127.0.0.1 and crawl them.

    Uses data/syndicator.toml unless --config says otherwise; a second run
    stores nothing new.

        syndicator demo
        syndicator demo --serve    # browse http://127.0.0.1:8301/
    """
    from syndicator.demo import demo_sites, show_store

    config = ctx.config()
    with demo_sites() as sites:
        for site in sites.sites.values():
            if not ctx.quiet:
                click.echo(f"serving {site.name} at {site.url}/")
        if serve:
            click.echo("press Ctrl-C to stop")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
        run = _crawl(ctx, config, ())
    if not ctx.quiet:
        show_store(config)
    sys.exit(EXIT_FAILED if run.get("status") != "ok" else EXIT_OK)


def main() -> None:
    cli(prog_name="syndicator")
