"""The commands an operator reviews copies with: ``preview`` (one page made
into its copy now, nothing stored; :mod:`syndicator.preview`),
``boilerplate`` (the lines each source repeats, learned from the store, and
the operator's pins; :mod:`syndicator.boilerplate`) and ``release`` (a copy
the quality gate held; :mod:`syndicator.quality_gate`).

Added to the ``syndicator`` group by :mod:`syndicator.cli`; they import
no crawl stack.
"""

from __future__ import annotations

from pathlib import Path

import click

from syndicator.cli_context import (
    Context,
    ask_store,
    fail,
    find_stored,
    json_option,
    pass_context,
)


@click.group(invoke_without_command=True)
@click.option("--source", metavar="NAME", help="Only this source's lines.")
@click.option(
    "--all", "everything", is_flag=True, help="Also the lines seen again and not learned (yet)."
)
@json_option
@pass_context
@click.pass_context
def boilerplate(
    click_ctx: click.Context, ctx: Context, source: str | None, everything: bool, as_json: bool
) -> None:
    """The lines each source repeats across its articles, cut from its bodies.

    A line (a paragraph, a heading, a list item) is learned when it is in
    [sources.boilerplate] min_pages articles of a site or more (3 by default)
    and stands at the start or the end of the body on nearly all of them:
    "About the company" paragraphs, sign-up plugs, a columnist's standing
    note. Learned lines are cut from new pages and, at the end of each crawl,
    from the bodies already stored (a new revision each). Pin a line to
    settle it either way.

    \b
        syndicator boilerplate
        syndicator boilerplate --source riverside-herald --all --json | jq -r '.[].line'
        syndicator boilerplate pin "Sign up for our newsletter" --source riverside-herald
        syndicator boilerplate pin "About the author" --source riverside-herald --keep
        syndicator boilerplate unpin "About the author" --source riverside-herald
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from syndicator.inspect import boilerplate_lines
    from syndicator.listing import print_boilerplate, print_json

    rows = ask_store(ctx, lambda store: boilerplate_lines(store, source, everything))
    print_json(rows) if as_json else print_boilerplate(rows, everything)


@boilerplate.command()
@click.argument("line")
@click.option("--source", metavar="NAME", required=True, help="The source whose line it is.")
@click.option("--site", metavar="DOMAIN", help="Only on this site of the source (default: all).")
@click.option("--keep", is_flag=True, help="Never boilerplate: keep the line in bodies.")
@pass_context
def pin(ctx: Context, line: str, source: str, site: str | None, keep: bool) -> None:
    """Pin LINE as boilerplate (cut from the source's bodies from the next
    crawl on), or with --keep as never boilerplate."""
    from syndicator.boilerplate import ANY_SITE
    from syndicator.boilerplate import pin as pin_line

    how = "keep" if keep else "boilerplate"
    try:
        pinned = ask_store(ctx, lambda store: pin_line(store, source, line, how, site or ANY_SITE))
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"pinned as {how} on {pinned} site(s) of {source}; the next crawl applies it")


@boilerplate.command()
@click.argument("line")
@click.option("--source", metavar="NAME", required=True, help="The source whose line it is.")
@pass_context
def unpin(ctx: Context, line: str, source: str) -> None:
    """Let the source's counts decide again whether LINE is boilerplate."""
    from syndicator.boilerplate import MIN_PAGES
    from syndicator.boilerplate import unpin as unpin_line

    known = {s.name: s.boilerplate.min_pages for s in ctx.config().sources}
    min_pages = known.get(source, MIN_PAGES)
    unpinned = ask_store(ctx, lambda store: unpin_line(store, source, line, min_pages))
    if not unpinned:
        fail(f"{line!r} is not pinned for {source}")
    click.echo(f"unpinned on {unpinned} site(s) of {source}")


@click.command()
@click.argument("article")
@pass_context
def release(ctx: Context, article: str) -> None:
    """Send a copy the quality gate held, as it is: ARTICLE is its id (or a
    unique prefix of 6 digits or more) or URL. The next publish sends it to
    every partner that takes its source; a later change of the article is
    checked again.

    \b
        syndicator deliveries --status held
        syndicator release 4555da47
    """
    from syndicator.quality_gate import release as release_article

    store, found = find_stored(ctx, article)
    try:
        if not found.get("hold"):
            fail(f"article {found['id']} is not held: {found.get('title') or found['url']}")
        release_article(store, found["id"])
    finally:
        store.close()
    if not ctx.quiet:
        click.echo(f"released {found['id']} ({found['hold']}); it goes out with the next publish")


@click.command()
@click.argument("url")
@click.option("--source", "source_name", metavar="NAME", help="The source the page is of.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="syndicator-preview.html",
    show_default=True,
    help="Where to write the copy as a page to open in a browser.",
)
@json_option
@pass_context
def preview(
    ctx: Context, url: str, source_name: str | None, html_path: Path, as_json: bool
) -> None:
    """Fetch URL now and show the copy partners would get: title, author,
    date, body, teasers, attribution, disclaimer, and the quality gate's
    verdict; nothing is stored. The page is judged as its source's crawl
    judges it (--source, else the source whose feeds, sitemaps or sections
    are on its host): its networks, selectors and what the store learned.

    \b
        syndicator preview https://news.example/2026/12/story/
        syndicator preview http://127.0.0.1:8301/2026/11/ferry/ --source riverside-herald
    """
    import httpx

    from syndicator.errors import ConfigError
    from syndicator.listing import print_json, print_preview
    from syndicator.netguard import NetworkRefusedError
    from syndicator.preview import html_page
    from syndicator.preview import preview as make_preview

    config = ctx.config()
    try:
        shown = make_preview(config, url, source_name)
    except ConfigError as exc:
        fail(str(exc))
    except (httpx.HTTPError, NetworkRefusedError, ValueError) as exc:
        fail(f"could not fetch {url}: {' '.join(str(exc).split()) or type(exc).__name__}")
    html_path.write_text(html_page(shown), encoding="utf-8")
    if as_json:
        print_json({**vars(shown), "html": str(html_path)})
    else:
        print_preview(shown, html_path)


COMMANDS = (boilerplate, release, preview)
