"""The commands that read the store: ``status``, ``duplicates``, ``search``,
``show``, ``drops``, ``deliveries``, ``serve`` and ``report``.

They are added to the ``syndicator`` group by :mod:`syndicator.cli`. The
questions they ask are in :mod:`syndicator.inspect` and :mod:`syndicator.report`,
the printing in :mod:`syndicator.listing`; none of them imports the crawl stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from syndicator.cli_context import (
    Context,
    ask_store,
    fail,
    json_option,
    limit_option,
    pass_context,
    since_option,
)

if TYPE_CHECKING:
    pass


@click.command()
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
        configured = {
            source.name: {str(u) for u in (*source.feeds, *source.sitemaps, *source.sections)}
            for source in config.sources
        }
        rows, last_run = store.source_status(configured), store.last_run()
        partners = Deliveries(store).partner_status()
    finally:
        store.close()
    if as_json:
        click.echo(
            json.dumps({"sources": rows, "partners": partners, "last_run": last_run}, indent=2)
        )
        return
    from syndicator.listing import console, print_table, short_time

    sources = [
        {
            **row,
            "source": row["source"]
            + ("" if row["in_config"] else " (not in the config)")
            + ("" if row["enabled"] or not row["in_config"] else " (disabled)"),
            "newest_at": row["newest"],
            "fetched_at": row["last_fetch"],
        }
        for row in rows
    ]
    columns = [("source", "source"), ("articles", "articles"), ("held", "held")]
    columns += [("drops", "drops")]
    columns += [("newest_at", "newest article"), ("fetched_at", "last fetch")]
    print_table(
        sources,
        [*columns, ("last_error", "last error")],
        f"Sources in {config.store_path}",
        "no sources yet: run syndicator crawl",
    )
    if partners:
        shown = [
            {
                **row,
                "partner": row["partner"] + (" (disabled)" if row["disabled_reason"] else ""),
                "sent_at": row["last_sent"],
                "last_error": row["disabled_reason"] or row["last_error"],
            }
            for row in partners
        ]
        columns = [("partner", "partner"), ("kind", "kind"), ("sent", "sent")]
        columns += [("pending", "pending"), ("held", "held"), ("failed", "failed")]
        columns += [("conflicts", "conflicts"), ("withdrawn", "withdrawn")]
        columns += [("sent_at", "last sent")]
        print_table(shown, [*columns, ("last_error", "last error")], "Partners", "")
    if last_run:
        counts = json.loads(last_run["counts"] or "{}")
        numbers = ", ".join(f"{n} {k}" for k, n in counts.items() if isinstance(n, int) and n)
        console().print(
            f"Last run: {last_run['command']} #{last_run['id']} {last_run['status']}, "
            f"started {short_time(last_run['started_at'])} UTC"
            + (f": {numbers}" if numbers else "")
            + (f"; {last_run['error']}" if last_run.get("error") else ""),
            markup=False,
        )


@click.command()
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
    from syndicator.listing import print_table

    rows = []
    for cluster in clusters:
        rows.append({**cluster, "similarity": "canonical"})
        rows += [{**dup, "id": f"  {dup['id']}"} for dup in cluster["duplicates"]]
    columns = [("id", "article"), ("source", "source"), ("title", "title")]
    print_table(
        rows,
        [*columns, ("similarity", "similarity")],
        f"Duplicate clusters in {config.store_path}",
        "" if ctx.quiet else "no duplicates stored",
    )


# -- inspecting the store: the questions are in syndicator/inspect.py, the
# printing in syndicator/listing.py; neither imports the crawl stack


@click.command()
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

    results = ask_store(ctx, lambda store: search_store(store, query, source, since, limit, fts))
    print_json(results) if as_json else print_search(results, query)


@click.command()
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
    from syndicator.rights import describe

    detail = ask_store(ctx, lambda store: article_detail(store, article))
    sources = {source.name: source for source in ctx.config().sources}
    detail["rights"] = describe(sources.get(detail["source"]), detail)
    print_json(detail) if as_json else print_article(detail)


@click.command()
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

    rows = ask_store(ctx, lambda store: store_drops(store, since, source, reason, limit))
    print_json(rows) if as_json else print_drops(rows, limit)


@click.command("teaser-places")
@click.option("--source", metavar="NAME", help="Only this source's places.")
@click.option(
    "--all", "everything", is_flag=True, help="Also the places seen and not learned (yet)."
)
@json_option
@pass_context
def teaser_places(ctx: Context, source: str | None, everything: bool, as_json: bool) -> None:
    """Where each source's related-story blocks sit, as learned from its pages.

    A place is a container of links to other stories, named by its tag, class
    and id and those of three containers around it. It is learned "confirmed"
    when the heading-based detector took it on one of the source's pages, or
    "varied" when, with no heading, after the story, its links changed from
    page to page of one run. Learned places find the block on the source's
    next pages where the detector alone would hesitate; a source's
    [sources.teasers] selectors come first, and learn = false turns it off.

    \b
        syndicator teaser-places
        syndicator teaser-places --source riverside-herald --all --json | jq '.[].place'
    """
    from syndicator.inspect import teaser_places as store_teaser_places
    from syndicator.listing import print_json, print_teaser_places

    rows = ask_store(ctx, lambda store: store_teaser_places(store, source, everything))
    print_json(rows) if as_json else print_teaser_places(rows, everything)


@click.command()
@click.option("--partner", metavar="NAME", help="Only this partner's deliveries.")
@click.option(
    "--status",
    type=click.Choice(
        [
            "pending",
            "sending",
            "sent",
            "held",
            "failed",
            "skipped",
            "conflict",
            "withdrawing",
            "withdrawn",
        ]
    ),
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

    rows = ask_store(ctx, lambda store: store_deliveries(store, partner, status, since, limit))
    print_json(rows) if as_json else print_deliveries(rows, limit)


def _store_file(ctx: Context) -> Path:
    """The store's path, for commands that must not open it for writing (no migration)."""
    config = ctx.config()
    if not config.store_path.exists():
        fail(f"no store at {config.store_path} yet: run `syndicator crawl` first")
    return config.store_path


@click.command("serve")
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
    shown = f"[{host}]" if ":" in host else host

    def listening() -> None:
        if not ctx.quiet:
            click.echo(f"serving {store} read-only at http://{shown}:{port}/ (Ctrl-C to stop)")

    # uvicorn handles Ctrl-C (SIGINT) and SIGTERM itself: it finishes and returns
    try:
        serve(
            store,
            host,
            port,
            log_level="info" if ctx.verbose else "warning",
            on_listening=listening,
        )
    except OSError as exc:
        fail(f"cannot serve on {shown}:{port}: {exc.strerror or exc}")


@click.command()
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

    \b
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


COMMANDS = (status, duplicates, search, show, drops, teaser_places, deliveries, serve_store, report)
