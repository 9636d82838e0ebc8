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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from syndicator import __version__
from syndicator.errors import ConfigError

if TYPE_CHECKING:
    from syndicator.config import Config
    from syndicator.store import Store

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3


class Context:
    log_format = "text"  # --log-format: text, or json for log collectors (syndicator/logs.py)

    def __init__(self, config_file: str | None, verbose: int, quiet: bool) -> None:
        self.config_file = config_file
        self.verbose = verbose
        self.quiet = quiet

    def config(self) -> Config:
        from syndicator.config import load_config

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

        syndicator crawl
        syndicator crawl --source riverside-herald
        syndicator crawl --worker
    """
    config = ctx.config()
    if worker:
        _worker(ctx, config, max_idle)
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

    from syndicator.logs import partner_secrets, stderr_logging
    from syndicator.progress import reporter
    from syndicator.publish import Publisher, summary_line
    from syndicator.store import Store

    partners = _partners(config, names)
    started = time.monotonic()
    store = Store(config.store_path)
    run_id = None if dry_run else store.start_run("publish")
    logs = stderr_logging(
        ctx.log_format,
        ctx.log_level,
        secrets=partner_secrets(config),
        context=lambda: {"command": "publish", "run_id": run_id},
    )
    try:
        with logs, reporter(ctx.quiet or dry_run) as progress:
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


def _cluster(config: Config, what: str) -> None:
    if config.cluster is None:
        fail(f"{config.path}: cluster: {what} needs a [cluster] table", EXIT_CONFIG)


def _worker(ctx: Context, config: Config, max_idle: float) -> NoReturn:
    from syndicator.cluster.processes import run_worker

    _cluster(config, "crawl --worker")
    try:
        run_worker(config, max_idle, log_level=ctx.log_level, log_format=ctx.log_format)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
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

        syndicator ingest
    """
    from syndicator.cluster.processes import IngestLocked, run_ingest

    config = ctx.config()
    _cluster(config, "ingest")
    try:
        run_ingest(config, drain, log_level=ctx.log_level, log_format=ctx.log_format)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
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


# -- inspecting the store: the questions are in syndicator/inspect.py, the
# printing in syndicator/listing.py; neither imports the crawl stack

T = TypeVar("T")


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from syndicator.inspect import InspectError, parse_since

    try:
        return None if value is None else parse_since(value)
    except InspectError as exc:
        raise click.BadParameter(str(exc)) from None


def since_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--since",
        metavar="WHEN",
        callback=_since,
        help=f"Only {what} since WHEN: 24h, 7d, today, yesterday, or an ISO date/time (UTC).",
    )


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (a list of objects) for scripts."
)
limit_option = click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(0), help="Rows; 0 for all."
)


def _ask(ctx: Context, question: Callable[[Store], T]) -> T:
    """Answer a read-only question from the store; a bad question is one line and exit 1."""
    from syndicator.inspect import InspectError

    _, store = ctx.existing_store()
    try:
        return question(store)
    except InspectError as exc:
        fail(str(exc))
    finally:
        store.close()


@cli.command()
@click.argument("query")
@click.option("--source", metavar="NAME", help="Only this source's articles.")
@since_option("articles published")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Results.")
@click.option("--fts", is_flag=True, help="QUERY is SQLite FTS5 syntax (OR, NOT, NEAR, title:).")
@json_option
@pass_context
def search(
    ctx: Context,
    query: str,
    source: str | None,
    since: str | None,
    limit: int,
    fts: bool,
    as_json: bool,
) -> None:
    """Full-text search of titles and bodies: best match first, matches highlighted.

    Every word must appear ("a phrase" in quotes; flood* for a prefix); with
    --fts, QUERY is FTS5 syntax: 'bridge OR ferry', 'council NOT budget'.

    \b
        syndicator search "river flood"
        syndicator search bridge --source riverside-herald --since 7d --json | jq '.[].title'
    """
    from syndicator.inspect import search as search_store
    from syndicator.listing import print_json, print_search

    results = _ask(ctx, lambda store: search_store(store, query, source, since, limit, fts))
    print_json(results) if as_json else print_search(results, query)


@cli.command()
@click.argument("article", metavar="ID_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
@pass_context
def show(ctx: Context, article: str, as_json: bool) -> None:
    """One article in full: metadata, copies, teasers, revisions, deliveries, republished text.

    ARTICLE is its id (or the first 6+ digits of it) or its URL.

    \b
        syndicator show 4555da4782e4b584
        syndicator show https://example.org/2026/11/story/ --json | jq .deliveries
    """
    from syndicator.inspect import article_detail
    from syndicator.listing import print_article, print_json

    detail = _ask(ctx, lambda store: article_detail(store, article))
    print_json(detail) if as_json else print_article(detail)


@cli.command()
@since_option("pages last dropped")
@click.option("--source", metavar="NAME", help="Only this source's drops.")
@click.option(
    "--reason",
    metavar="REASON",
    help="Only this reason: fetch_failed, robots_txt, network_refused, not_html, no_body, "
    "too_short, not_article, processing_error.",
)
@limit_option
@json_option
@pass_context
def drops(
    ctx: Context,
    since: str | None,
    source: str | None,
    reason: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Pages that did not become articles, and why; last dropped first.

    A URL is listed once per reason, with how often and when it was last dropped.

    \b
        syndicator drops --since 24h
        syndicator drops --reason fetch_failed --json | jq -r '.[].url'
    """
    from syndicator.inspect import drops as store_drops
    from syndicator.listing import print_drops, print_json

    rows = _ask(ctx, lambda store: store_drops(store, since, source, reason, limit))
    print_json(rows) if as_json else print_drops(rows, limit)


@cli.command()
@click.option("--partner", metavar="NAME", help="Only this partner's deliveries.")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "sent", "failed", "skipped"]),
    help="Only deliveries in this state.",
)
@since_option("deliveries changed")
@limit_option
@json_option
@pass_context
def deliveries(
    ctx: Context,
    partner: str | None,
    status: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """What went to which partner, what is owed, what failed; last changed first.

    Sent rows say where the post is; failed and retrying ones, the last error.

    \b
        syndicator deliveries --status failed
        syndicator deliveries --partner partner-wordpress --since today --json
    """
    from syndicator.inspect import deliveries as store_deliveries
    from syndicator.listing import print_deliveries, print_json

    rows = _ask(ctx, lambda store: store_deliveries(store, partner, status, since, limit))
    print_json(rows) if as_json else print_deliveries(rows, limit)


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_context
def init(ctx: Context, path: Path | None, force: bool) -> None:
    """Write a commented example config to PATH (default: the config path).

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


def _store_file(ctx: Context) -> Path:
    """The store's path, for commands that must not open it for writing (no migration)."""
    config = ctx.config()
    if not config.store_path.exists():
        fail(f"no store at {config.store_path} yet: run `syndicator crawl` first")
    return config.store_path


@cli.command("serve")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="A loopback address; others refused."
)
@pass_context
def serve_store(ctx: Context, port: int, host: str) -> None:
    """Browse the store read-only in Datasette: tables, search, canned queries, charts.

    \b
        syndicator serve               # then open http://127.0.0.1:8001/
        syndicator serve --port 8010
    """
    from syndicator.serve import is_loopback, serve

    if not is_loopback(host):
        fail(f"refusing to serve on {host}: only loopback addresses (127.0.0.1, ::1, localhost)")
    store = _store_file(ctx)
    if not ctx.quiet:
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"serving {store} read-only at http://{shown}:{port}/ (Ctrl-C to stop)")
    # uvicorn handles Ctrl-C (SIGINT) and SIGTERM itself: it finishes and returns
    serve(store, host, port, log_level="info" if ctx.verbose else "warning")


@cli.command()
@click.option(
    "--html",
    "html_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the charts to this self-contained HTML file.",
)
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 366))
@pass_context
def report(ctx: Context, html_file: Path, days: int) -> None:
    """Write charts of the last DAYS days (articles, deliveries, drops) to one HTML file.

    The file fetches nothing and runs no script, so it can be mailed.

        syndicator report --html report.html --days 7
    """
    from syndicator.report import read_report, render_document
    from syndicator.report.data import open_read_only

    store = _store_file(ctx)
    conn = open_read_only(store)
    try:
        data = read_report(conn, days)
    finally:
        conn.close()
    html_file.write_text(render_document(data, str(store)), encoding="utf-8")
    if not ctx.quiet:
        totals = ", ".join(c.amount(c.grand_total) for c in data.charts)
        click.echo(f"wrote {html_file}: {days} days to {data.last_day} ({totals})")


def main() -> None:
    cli(prog_name="syndicator")
