"""``syndicator demo``, the README's first command: it runs end to end on the
bundled sites and partners, sends nothing new the second time, and keeps its
config, store and partners apart from the publisher's own (``syndicator init``
writes data/syndicator.toml, which the demo never touches)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lxml import etree

from syndicator.config import DEFAULT_CONFIG, load_config
from syndicator.demo.bundled import demo_config
from tests.conftest import ROOT, query, syndicator


def test_the_demo_keeps_apart_from_the_publishers_own_config() -> None:
    demo = load_config(demo_config())
    assert demo.path.resolve() != (ROOT / DEFAULT_CONFIG).resolve()
    assert demo.store_path.resolve().is_relative_to((ROOT / "data" / "demo" / "state").resolve())
    # a fresh clone has no data/syndicator.toml, so the walkthrough's
    # `syndicator init` writes one instead of refusing
    tracked = subprocess.run(
        ["git", "ls-files", "data"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    if tracked:  # a git checkout (CI's clean clone is one)
        assert str(DEFAULT_CONFIG) not in tracked and "data/demo/syndicator.toml" in tracked
    packaged = (ROOT / "pyproject.toml").read_text()
    assert '"data/demo" = "syndicator/_data/demo"' in packaged
    assert "data/syndicator.toml" not in packaged


def test_the_demo_runs_end_to_end_and_sends_nothing_new_the_second_time(tmp_path: Path) -> None:
    config = tmp_path / "syndicator.toml"
    shutil.copy(demo_config(), config)
    # $SYNDICATOR_CONFIG names a publisher's own (broken) config: --config wins
    own = tmp_path / "own.toml"
    own.write_text("bogus = 1\n")
    env = {"SYNDICATOR_CONFIG": str(own)}

    first = syndicator("demo", config=config, env=env)
    assert first.returncode == 0, first.stderr
    assert "crawl finished; 14 new, 1 duplicate" in first.stdout
    state = tmp_path / "state"
    store = state / "syndicator.db"
    originals = query(store, "select count(*) as n from articles where duplicate_of is null")
    assert originals[0]["n"] == 14
    sent = query(
        store, "select partner, count(*) as n from deliveries where status = 'sent' group by 1"
    )
    assert {row["partner"]: row["n"] for row in sent} == {
        "partner-wordpress": 14,
        "partner-webhook": 14,
        "partner-feed": 14,
    }
    entries = etree.parse(str(state / "partners" / "feed.atom")).findall(
        "{http://www.w3.org/2005/Atom}entry"
    )
    assert len(entries) == 14
    assert (state / "partners" / "wordpress.json").exists()

    second = syndicator("demo", config=config, env=env)
    assert second.returncode == 0, second.stderr
    assert "crawl finished; 0 new" in second.stdout
    assert "publish finished; 0 sent" in second.stdout
