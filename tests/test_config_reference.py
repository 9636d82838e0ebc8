"""The configuration reference is generated from the config models, so every key
of every table must say in code what it does; and the templates must not import
the config, which imports them."""

from __future__ import annotations

import ast
import importlib.util
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from syndicator import config

# the tables reached from Config; if the walk below misses one, it is broken
TABLES = {
    "Politeness",
    "TeaserSelectors",
    "BoilerplateLearning",
    "QualityGate",
    "Licence",
    "Source",
    "Publisher",
    "WordPressPartner",
    "WebhookPartner",
    "AtomPartner",
    "Recheck",
    "Dedup",
    "Extraction",
    "Cluster",
    "Config",
}


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation names, inside list[...], dict[...], unions,
    Optional and Annotated alike."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def reachable(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    todo = [root]
    while todo:
        model = todo.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return found


def test_the_walk_reaches_every_table() -> None:
    assert set(reachable(config.Config)) == TABLES


def test_every_key_of_every_table_has_a_description() -> None:
    undescribed = [
        f"{name}.{key}"
        for name, model in sorted(reachable(config.Config).items())
        for key, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert undescribed == []


def test_the_json_schema_carries_the_descriptions() -> None:
    schema = config.Config.model_json_schema()
    tables = [schema, *schema["$defs"].values()]
    undescribed = [
        f"{table['title']}.{key}"
        for table in tables
        for key, value in table.get("properties", {}).items()
        if not value.get("description", "").strip()
    ]
    assert undescribed == []


def test_every_table_says_which_one_it_is() -> None:
    unnamed = [
        name
        for name, model in reachable(config.Config).items()
        if "``[" not in (model.__doc__ or "")
    ]
    assert unnamed == []


def _imported_modules(path: Path, package: str) -> Iterator[str]:
    """Every module the file imports, wherever the import is (TYPE_CHECKING too),
    relative imports resolved; ``from a import b`` gives ``a`` and ``a.b``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
                yield str(first.value)


def test_the_templates_do_not_import_the_config() -> None:
    spec = importlib.util.find_spec("syndicator.templates")
    assert spec is not None and spec.origin is not None
    imported = set(_imported_modules(Path(spec.origin), "syndicator.templates"))
    assert "jinja2" in imported  # the walk sees the module's imports at all
    assert not {
        name
        for name in imported
        if name == "syndicator.config" or name.startswith("syndicator.config.")
    }
