"""The docs cannot drift from the code: the generated parts of docs/ and the
README (every command's --help, the config keys, the store's columns) are
what cog makes of the code now, every command, config table and store table
has its generated block, and every relative link lands on a file and heading."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from cogapp import Cog

from syndicator.cli import cli
from syndicator.store import Store
from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def test_the_generated_parts_are_what_the_code_says_now(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cog = Cog()
    status = cog.main(["cog", "--check", "-I", str(DOCS), *map(str, PAGES)])
    out = capsys.readouterr()
    assert status == 0, (
        "docs disagree with the code; regenerate with "
        f"`.venv/bin/cog -r -I docs docs/*.md README.md`\n{out.out}{out.err}"
    )
    sys.modules.pop("reference", None)


def _commands(group: object, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        full = f"{prefix} {name}".strip()
        found.append(full)
        if hasattr(command, "commands"):
            found += _commands(command, full)
    return found


def test_every_command_config_table_and_store_table_has_its_generated_block(
    tmp_path: Path,
) -> None:
    commands = (DOCS / "commands.md").read_text()
    for name in _commands(cli):
        assert f'command_help("{name}")' in commands, f"docs/commands.md lacks {name}"
    configuration = (DOCS / "configuration.md").read_text()
    sys.path.insert(0, str(DOCS))
    try:
        import reference
    finally:
        sys.path.remove(str(DOCS))
    for table in reference._TABLES:
        assert f'config_table("{table}")' in configuration, f"docs/configuration.md: [{table}]"
    store = (DOCS / "store.md").read_text()
    Store(tmp_path / "fresh.db").close()
    tables = [
        name
        for (name,) in sqlite3.connect(tmp_path / "fresh.db").execute(
            "select name from sqlite_master where type = 'table' and name not like 'articles_fts%'"
        )
    ]
    for table in tables:
        assert f'store_table("{table}")' in store, f"docs/store.md lacks {table}"


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"(?m)^#{1,6} (.+?)\s*$", _without_code(text)):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _without_code(text: str) -> str:
    return re.sub(r"(?ms)^```.*?^```", "", text)


def test_every_relative_link_lands_on_a_file_and_a_heading() -> None:
    broken = []
    for page in PAGES:
        text = _without_code(page.read_text())
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not ours to check here
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file.read_text()):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
