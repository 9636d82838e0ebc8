"""What every ``syndicator`` command shares: the context the group passes
down (``--config``, ``-v``, ``-q``), the exit codes, the one-line failure,
the options the store's commands have in common, and finding the article a
command names.

:mod:`syndicator.cli` defines the group and adds the commands of the other
``cli_*`` modules to it; they import from here (and :mod:`syndicator.cli_runs`),
never from :mod:`syndicator.cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from syndicator.errors import ConfigError, UnknownName

if TYPE_CHECKING:
    from syndicator.config import Config
    from syndicator.store import Store

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3


class Context:
    log_format = "text"  # --log-format: text, or json for log collectors (syndicator/logs.py)
    config_given = False  # --config on the command line (not from $SYNDICATOR_CONFIG)

    def __init__(self, config_file: str | None, verbose: int, quiet: bool) -> None:
        self.config_file = config_file
        self.verbose = verbose
        self.quiet = quiet

    def config(self) -> Config:
        from syndicator.config import load_config

        try:
            return load_config(self.config_file)
        except ConfigError as exc:
            fail(str(exc), config_exit(exc))

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


def config_exit(exc: ConfigError) -> int:
    """2 for a configuration that cannot be used; 1 for a --source or
    --partner it does not name (the command cannot do its job)."""
    return EXIT_FAILED if isinstance(exc, UnknownName) else EXIT_CONFIG


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"syndicator: error: {message}", err=True)
    sys.exit(code)


pass_context = click.make_pass_decorator(Context)


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


def ask_store(ctx: Context, question: Callable[[Store], T]) -> T:
    """Answer a read-only question from the store; a bad question is one line and exit 1."""
    from syndicator.inspect import InspectError

    _, store = ctx.existing_store()
    try:
        return question(store)
    except InspectError as exc:
        fail(str(exc))
    finally:
        store.close()


def find_stored(ctx: Context, key: str) -> tuple[Store, dict[str, Any]]:
    """The store opened for writing, and the article ``key`` names (an id, a
    unique id prefix of 6 digits or more, or a URL); a key that names none is
    one line and exit 1. The caller closes the store."""
    from syndicator.inspect import InspectError, find_article
    from syndicator.store import Store

    store = Store(ctx.config().store_path)
    try:
        return store, find_article(store, key)
    except InspectError as exc:
        store.close()
        fail(str(exc))
