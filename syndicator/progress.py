"""Progress of a publish: a bar on a terminal, plain lines otherwise (cron, logs)."""

from __future__ import annotations

import sys
from typing import Any

import click


class PlainLines:
    """One line per delivery, for logs and cron mail."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def __enter__(self) -> PlainLines:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def event(self, partner: str, text: str) -> None:
        if not self.quiet:
            click.echo(f"{partner}: {text}")


class Bar:
    """A rich progress bar counting deliveries."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("publishing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            transient=True,
        )
        self.task: Any = None

    def __enter__(self) -> Bar:
        self.progress.__enter__()
        self.task = self.progress.add_task("", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def event(self, partner: str, text: str) -> None:
        self.progress.update(self.task, advance=1, description=f"{partner}: {text}"[:70])


def reporter(quiet: bool) -> PlainLines | Bar:
    return Bar() if sys.stdout.isatty() and not quiet else PlainLines(quiet)
