"""The commands that get a publisher started: ``init`` (a commented config of
their own) and ``demo`` (the bundled sample sites and partners, end to end).

Added to the ``syndicator`` group by :mod:`syndicator.cli`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from syndicator.cli_context import EXIT_FAILED, EXIT_OK, Context, fail, pass_context
from syndicator.cli_runs import crawl_step, publish_step, store_lock


@click.command()
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


@click.command()
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
            crawled = crawl_step(ctx, config, ())
            published = publish_step(ctx, config, (), dry_run=False)
        if not ctx.quiet:
            show_store(config)
            partners.show()
    sys.exit(EXIT_OK if published and crawled.get("status") == "ok" else EXIT_FAILED)


COMMANDS = (init, demo)
