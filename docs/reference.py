"""The parts of docs/ that restate the code, generated from it by cog.

Each function prints (with ``cog.out``) one Markdown block: a command's
``--help``, the keys of one table of the config file with their types,
defaults and meanings (the pydantic models of :mod:`syndicator.config`), or
the columns of one table of the store (the schema a fresh store gets, and
the meanings in ``syndicator/serve/metadata.yml`` that Datasette shows too).

Regenerate after changing a command, a config key or a column::

    .venv/bin/cog -r -I docs docs/*.md README.md

``tests/test_docs.py`` runs ``cog --check``, so a page that disagrees with
the code fails ``make test``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import tempfile
import types
import typing
from pathlib import Path
from typing import Any, Literal

import click
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from syndicator import config as cfg
from syndicator import config_values
from syndicator.cli import cli

try:  # cog is there when cog runs this; the functions also return their text
    import cog
except ImportError:  # pragma: no cover - imported outside cog
    cog = None

WIDTH = 88  # help text wrapped as on an 88-column terminal, whatever runs cog


def _out(text: str) -> str:
    if cog is not None and getattr(cog, "out", None):
        cog.out(text)
    return text


# -- commands


def _command(path: str) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    names = path.split()
    for name in names:
        assert isinstance(command, click.Group), path
        command = command.commands[name]
    return command, names


def command_help(path: str) -> str:
    """``syndicator PATH --help``, as a fenced block."""
    command, names = _command(path)
    parent = None
    for depth in range(len(names) + 1):
        here = _command(" ".join(names[:depth]))[0]
        name = "syndicator" if depth == 0 else names[depth - 1]
        settings = {**here.context_settings, "terminal_width": WIDTH}
        parent = click.Context(here, info_name=name, parent=parent, **settings)
        parent.max_content_width = WIDTH
    assert parent is not None and parent.command is command
    text = command.get_help(parent).rstrip()
    return _out(f"```\n{text}\n```\n")


def command_list() -> str:
    """One line per command (and subcommand): its name and the first line of its help."""
    lines = ["| command | what it does |", "|---|---|"]

    def walk(group: click.Group, prefix: str) -> None:
        for name in sorted(group.commands):
            command = group.commands[name]
            if command.hidden:
                continue
            full = f"{prefix} {name}".strip()
            anchor = "syndicator-" + full.replace(" ", "-")
            summary = command.get_short_help_str(limit=150)
            lines.append(f"| [`{full}`](docs/commands.md#{anchor}) | {summary} |")
            if isinstance(command, click.Group):
                walk(command, full)

    walk(cli, "")
    return _out("\n".join(lines) + "\n")


# -- the config file

# config_table("sources.gate") -> the model of that table
_TABLES: dict[str, type[BaseModel]] = {
    "publisher": cfg.Publisher,
    "crawl": cfg.Politeness,
    "dedup": cfg.Dedup,
    "dedup.recheck": cfg.Recheck,
    "extraction": cfg.Extraction,
    "cluster": cfg.Cluster,
    "sources": cfg.Source,
    "sources.crawl": cfg.Politeness,
    "sources.teasers": cfg.TeaserSelectors,
    "sources.boilerplate": cfg.BoilerplateLearning,
    "sources.gate": cfg.QualityGate,
    "sources.licence": cfg.Licence,
    "partners": cfg.WordPressPartner.__mro__[1],  # the keys every partner has
    "partners.wordpress": cfg.WordPressPartner,
    "partners.webhook": cfg.WebhookPartner,
    "partners.atom": cfg.AtomPartner,
}

_SCALARS = {bool: "boolean", int: "integer", float: "number", str: "string", Path: "path"}
_NAMED = {  # the value types of syndicator.config_values, by the name they go by
    "HttpUrl": "URL",
    "IPNetwork": "IP network",
    "IsoDate": "date",
    "RedisUrl": "Redis URL",
    "Regex": "regular expression",
    "EnvName": "variable name",
    "PartnerName": "name",
}


def _range(annotation: Any) -> str:
    """``0 to 300 seconds``: the range a number's validator names when refusing inf."""
    try:
        TypeAdapter(annotation).validate_python(float("inf"))
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        if found := re.search(r"must be (?:a whole number )?(.+?)(?: \(got .*\))?$", message):
            return found.group(1).removeprefix("from ")
    return ""


def _alias(annotation: Any) -> str | None:
    """The name of the value type ``annotation`` is (``HttpUrl`` -> "URL"), if any."""
    for alias, name in _NAMED.items():
        known = getattr(cfg, alias, None) or getattr(config_values, alias, None)
        if known is not None and (
            annotation is known or typing.get_args(annotation) == typing.get_args(known)
        ):
            return name
    return None


def _type(annotation: Any) -> str:
    if name := _alias(annotation):
        return name
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base = _type(args[0])
        span = _range(annotation) if args[0] in (int, float) else ""
        return f"{base}, {span}" if span else base
    if origin in (typing.Union, types.UnionType):
        kinds = [_type(a) for a in args if a is not type(None)]
        return " or ".join(kinds)
    if origin is Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin is list:
        return f"list of {_type(args[0])}s".replace("ss", "s")
    if origin is dict:
        return f"table of {_type(args[0])} = {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _inline(value: Any) -> str:
    """A value as TOML writes it inline: ``{max_age_days = 1.0, every_hours = 1.0}``."""
    if isinstance(value, BaseModel):
        pairs = (f"{k} = {_inline(v)}" for k, v in value.model_dump().items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_inline, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | Path):
        return f'"{value}"'
    return str(value)


def _toml(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"`{_inline(value)}`"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str | Path):
        return f'`"{value}"`'
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, list | dict) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    # docstrings write code as reStructuredText does (``x``); Markdown as `x`
    return " ".join(text.split()).replace("``", "`").replace("|", "\\|")


def config_table(table: str) -> str:
    """The keys of one table of the config file: key, type, default, meaning."""
    model = _TABLES[table]
    own = set(model.model_fields)
    if table.startswith("partners."):
        own -= set(_TABLES["partners"].model_fields)
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if name not in own:
            continue
        if field.default is PydanticUndefined and field.default_factory is None:
            default = "required"
        elif model is cfg.Politeness:
            # [crawl] fills what a source leaves unset; the defaults are [crawl]'s
            value = getattr(cfg.DEFAULT_POLITENESS, name)
            default = _toml(value) if table == "crawl" else "`[crawl]`'s"
        else:
            default = _toml(field.get_default(call_default_factory=True))
        # pydantic keeps a field's Annotated[...] metadata apart from its type
        annotation = field.annotation
        if field.metadata:
            annotation = typing.Annotated[(annotation, *field.metadata)]
        meaning = _cell(field.description or "")
        rows.append(f"| `{name}` | {_type(annotation)} | {default} | {meaning} |")
    return _out("\n".join(rows) + "\n")


# -- the store


@functools.cache  # one fresh store for all the tables of a cog run
def _fresh_schema() -> dict[str, list[tuple[str, str]]]:
    from syndicator.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store.db")
        store.close()
        db = sqlite3.connect(Path(folder) / "store.db")
        try:
            tables = [
                name
                for (name,) in db.execute(
                    "select name from sqlite_master where type = 'table' order by rowid"
                )
            ]
            return {
                name: [
                    (column, kind or "")
                    for column, kind in db.execute(
                        "select name, type from pragma_table_info(?)", (name,)
                    )
                ]
                for name in tables
            }
        finally:
            db.close()


def store_table(table: str) -> str:
    """The columns of one table of the store: name, SQLite type, meaning."""
    from syndicator.serve import metadata

    meanings = metadata()["databases"]["store"]["tables"][table].get("columns", {})
    rows = ["| column | type | meaning |", "|---|---|---|"]
    for column, kind in _fresh_schema()[table]:
        rows.append(f"| `{column}` | {kind.lower()} | {_cell(meanings.get(column, ''))} |")
    return _out("\n".join(rows) + "\n")
