"""Operators' listings (search, show, drops, deliveries) and --log-format json,
against a store filled by real crawls of the demo sites (one article corrected
in between) and a real publish to two webhook partners, one answering 500."""

from __future__ import annotations

import base64
import json
import logging
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.inspect import InspectError, fts_query, parse_since
from syndicator.logs import stderr_logging
from tests.conftest import ROOT, query, syndicator, write_config
from tests.test_revisions import PATH, Source

CORRECTED = "packed the Alder Falls High School auditorium"
WIDE = {"COLUMNS": "250"}  # one table row per line, so a title is never split over two


@dataclass
class Inspected:
    config: Path
    db: Path
    secrets: dict[str, str]
    crawl_log: str  # stderr of the first crawl, at -v --log-format json
    publish_log: str  # stderr of the publish, at -vv --log-format json

    def run(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return syndicator(*args, config=self.config, env={**WIDE, **(env or {})})

    def json(self, *args: str) -> Any:
        result = self.run(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def corrected_id(self) -> str:
        return query(self.db, "select id from articles where url like ?", (f"%{PATH}",))[0]["id"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inspected]:
    tmp = tmp_path_factory.mktemp("inspect")
    source = Source(tmp)
    ok, broken = WebhookReceiver(secret=new_secret()), WebhookReceiver(secret=new_secret())
    broken.faults.add(
        Fault(status=500, body={"code": "db_down", "message": "database is down"}, times=10**6)
    )
    with source.group, ok, broken:
        source.configure()
        with source.config.open("a") as out:
            for name, receiver in (("hook", ok), ("broken", broken)):
                out.write(
                    f'\n[[partners]]\nname = "{name}"\nkind = "webhook"\nurl = "{receiver.url}"\n'
                    f'secret_env = "{name.upper()}_SECRET"\nallow_networks = ["127.0.0.1/32"]\n'
                    "max_attempts = 1\nconcurrency = 16\n"
                )
        secrets = {"HOOK_SECRET": ok.secret, "BROKEN_SECRET": broken.secret}
        crawl = syndicator("-v", "--log-format", "json", "crawl", config=source.config)
        assert crawl.returncode == 0, crawl.stderr
        publish = syndicator(
            "-vv", "--log-format", "json", "publish", config=source.config, env=secrets
        )
        assert publish.returncode == 1 and "database is down" in publish.stderr
        # a correction at the source: the article gets revision 2, partners owe an update
        source.serve(
            source.page().replace("filled the Alder Falls High School auditorium", CORRECTED)
        )
        assert "1 updated" in source.crawl()
        yield Inspected(source.config, source.db, secrets, crawl.stderr, publish.stderr)


# -- search ------------------------------------------------------------------------


def test_search_ranks_the_better_match_first_and_highlights_it(store: Inspected) -> None:
    hits = store.json("search", "flood defence")
    first = hits[0]
    assert "flood defence" in first["title"].lower() and first["duplicate_of"] is None
    # the bridge story mentions the fund once, in its body: found, but ranked below
    titles = [h["title"] for h in hits]
    bridge = next(i for i, t in enumerate(titles) if "Ferry Street Bridge" in t)
    assert bridge > 0 and hits[bridge]["score"] < first["score"]
    assert first["highlights"]
    marked = {first["snippet"][a:b].lower() for a, b in first["highlights"]}
    assert marked <= {"flood", "defence", "defences"} and "flood" in marked  # porter stemming
    assert set(first) == {
        "id", "source", "title", "url", "published_at", "first_seen_at", "duplicate_of",
        "revision", "score", "snippet", "highlights",
    }  # fmt: skip


def test_search_finds_words_of_the_body_and_shows_the_highlight(store: Inspected) -> None:
    hits = store.json("search", "auditorium packed")
    assert [h["id"] for h in hits] == [store.corrected_id()]  # only the corrected text has both
    plain = store.run("search", "auditorium packed")
    assert plain.returncode == 0
    assert "[packed]" in plain.stdout and "[auditorium]" in plain.stdout  # no colour: brackets
    coloured = store.run("search", "auditorium packed", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;7mpacked\x1b[0m" in coloured.stdout  # bold reverse on a terminal


def test_search_filters_by_source_and_since(store: Inspected) -> None:
    everything = store.json("search", "bridge")
    assert len({h["source"] for h in everything}) == 2
    gazette = store.json("search", "bridge", "--source", "northgate-gazette")
    assert gazette and {h["source"] for h in gazette} == {"northgate-gazette"}
    dates = sorted(h["published_at"] for h in everything)
    cut = dates[len(dates) // 2]
    recent = store.json("search", "bridge", "--since", cut)
    assert {h["id"] for h in recent} == {h["id"] for h in everything if h["published_at"] >= cut}
    assert 0 < len(recent) < len(everything)


def test_search_queries_that_are_not_fts_syntax_just_work(store: Inspected) -> None:
    assert store.json("search", 'river "flood')  # an unbalanced quote is a word here
    assert store.json("search", "flood*")  # a prefix
    assert fts_query('river "flood defence" x"y') == '"river" "flood defence" "x""y"'


def test_a_bad_fts_query_is_one_line_and_exit_1(store: Inspected) -> None:
    result = store.run("search", "--fts", "flood AND")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("syndicator: error: cannot search for 'flood AND': fts5")
    assert len(result.stderr.strip().splitlines()) == 1
    assert store.json("search", "--fts", "ferry OR flood NOT bridge")
    unknown = store.run("search", "bridge", "--source", "nowhere")
    assert unknown.returncode == 1 and "no source 'nowhere'" in unknown.stderr


# -- show --------------------------------------------------------------------------


def test_show_prints_teasers_revisions_and_deliveries(store: Inspected) -> None:
    article_id = store.corrected_id()
    result = store.run("show", article_id[:8])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Parents pack first hearing on school budget" in out
    assert re.search(r"revision +2 \(1 earlier kept\)", out)
    teasers = query(store.db, "select title from teasers where article_id = ?", (article_id,))
    assert teasers and all(t["title"] in out for t in teasers)
    assert "Earlier revisions" in out and "Deliveries" in out
    assert "update owed" in out  # hook has revision 1, the store revision 2
    assert "database is down" in out  # broken's last error
    assert CORRECTED in out  # the republished text, as text
    assert "<p>" not in out and "Related stories" in out


def test_show_json_and_lookup_by_url(store: Inspected) -> None:
    article_id = store.corrected_id()
    [url] = [
        r["url"] for r in query(store.db, "select url from articles where id = ?", (article_id,))
    ]
    detail = store.json("show", url + "?utm_source=newsletter")
    assert detail["id"] == article_id and detail["revision"] == 2
    assert [r["revision"] for r in detail["revisions"]] == [1]
    deliveries = {d["partner"]: d for d in detail["deliveries"]}
    assert deliveries["hook"]["status"] == "sent" and deliveries["hook"]["up_to_date"] is False
    assert deliveries["broken"]["status"] == "failed"
    assert len(detail["teasers"]) >= 2 and CORRECTED in detail["body_text"]
    missing = store.run("show", "http://127.0.0.1:1/nothing/")
    assert missing.returncode == 1 and len(missing.stderr.splitlines()) == 1


# -- drops and deliveries ----------------------------------------------------------


def test_drops_show_broken_pages_with_their_reason(store: Inspected) -> None:
    result = store.run("drops")
    assert result.returncode == 0, result.stderr
    not_found = query(store.db, "select url from drops where detail = 'HTTP 404'")[0]["url"]
    [line] = [line for line in result.stdout.splitlines() if not_found in line]
    assert "fetch_failed" in line and "HTTP 404" in line
    robots = store.json("drops", "--reason", "robots_txt")
    assert [d["reason"] for d in robots] == ["robots_txt"] and "/private/" in robots[0]["url"]
    assert set(robots[0]) == {
        "url",
        "source",
        "reason",
        "detail",
        "at",
        "first_at",
        "times",
        "run_id",
    }
    gazette = store.json("drops", "--source", "northgate-gazette")
    assert gazette and {d["source"] for d in gazette} == {"northgate-gazette"}


def test_since_filters_drops_and_deliveries(store: Inspected) -> None:
    every = store.json("drops")
    assert store.json("drops", "--since", "1h") == every
    midnight = datetime.now(UTC).date().isoformat()
    assert store.json("drops", "--since", "today") == [d for d in every if d["at"] >= midnight]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert store.json("drops", "--since", tomorrow) == []
    assert store.run("drops", "--since", tomorrow).stdout.strip() == "no drops"
    assert store.json("deliveries", "--since", tomorrow) == []
    assert len(store.json("deliveries", "--since", "2h", "--limit", "0")) == len(
        query(store.db, "select 1 from deliveries")
    )
    bad = store.run("drops", "--since", "soon")
    assert bad.returncode == 2 and "not a time: 'soon'" in bad.stderr


def test_failed_deliveries_show_the_last_error(store: Inspected) -> None:
    result = store.run("deliveries", "--status", "failed")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "broken" in line]
    assert rows and all("failed" in line and "HTTP 500" in line for line in rows)
    assert result.stdout.count("database is") == len(rows)  # the partner's own message
    failed = store.json("deliveries", "--status", "failed", "--limit", "0")
    articles = query(store.db, "select 1 from articles where duplicate_of is null")
    assert len(failed) == len(articles)
    assert {(d["partner"], d["status"]) for d in failed} == {("broken", "failed")}
    assert all("database is down" in d["last_error"] for d in failed)
    sent = store.json("deliveries", "--partner", "hook")
    assert sent and {d["status"] for d in sent} == {"sent"} and all(d["remote_id"] for d in sent)
    assert store.run("deliveries", "--partner", "nobody").returncode == 1


def test_runs_table_has_each_runs_counts(store: Inspected) -> None:
    runs = query(store.db, "select command, status, counts from runs order by id")
    assert [r["command"] for r in runs] == ["crawl", "publish", "crawl"]
    assert json.loads(runs[0]["counts"])["new"] > 0
    assert json.loads(runs[1]["counts"])["partners"]["broken"]["failed"] > 0


# -- logs ----------------------------------------------------------------------------


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    # everything on stderr is a JSON line, except the summary syndicator itself prints
    assert len(lines) == len([x for x in stderr.splitlines() if not x.startswith("publish ")])
    return lines


def test_log_format_json_covers_crawl_and_publish(store: Inspected) -> None:
    crawl = _json_lines(store.crawl_log)
    assert crawl and all({"time", "level", "logger", "message"} <= set(line) for line in crawl)
    crawl_run = query(store.db, "select id from runs where command = 'crawl' order by id")[0]["id"]
    assert any(line.get("run_id") == crawl_run for line in crawl)
    dropped = [line for line in crawl if ": dropped " in line["message"]]
    assert dropped and all(line["source"] in line["message"] for line in dropped)
    publish = _json_lines(store.publish_log)
    assert any(line["logger"] == "httpx" for line in publish)
    assert {line["command"] for line in publish} == {"publish"}
    everything = store.crawl_log + store.publish_log
    for secret in store.secrets.values():
        assert secret not in everything and secret.removeprefix("whsec_") not in everything


def test_secrets_are_redacted_from_log_lines(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "abcd EFGH 1234 ijkl"
    basic = base64.b64encode(f"editor:{secret}".encode()).decode()
    with stderr_logging("json", "INFO", secrets=[secret, basic]):
        logging.getLogger("test").info("sent Authorization: Basic %s with %s", basic, secret)
    [line] = capsys.readouterr().err.splitlines()
    entry = json.loads(line)
    assert entry["message"] == "sent Authorization: Basic [secret] with [secret]"


# -- robustness and imports ------------------------------------------------------------


def test_long_values_and_markup_in_data_do_not_break_the_tables(
    store: Inspected, tmp_path: Path
) -> None:
    shutil.copy(store.config, tmp_path / "c.toml")
    src, dst = sqlite3.connect(store.db), sqlite3.connect(tmp_path / "store.db")
    src.backup(dst)
    src.close()
    odd = "[/bold] [red]not markup[/red] " + "x" * 3000
    dst.execute(
        "insert into drops (url, source, reason, detail, at, first_at, times) "
        "values (?, 'riverside-herald', 'too_short', ?, '2099-01-01T00:00:00+00:00', "
        "'2099-01-01T00:00:00+00:00', 1)",
        ["http://example.org/" + "a" * 4000, odd],
    )
    dst.execute(
        "update articles set title = ? where id = ?", ["[/] Flood " + odd, store.corrected_id()]
    )
    dst.commit()
    dst.close()
    config = tmp_path / "c.toml"
    for columns in ("40", "250"):
        env = {"COLUMNS": columns}
        for args in (("drops",), ("search", "flood"), ("show", store.corrected_id())):
            result = syndicator(*args, config=config, env=env)
            assert result.returncode == 0, result.stderr
            assert columns == "40" or "[/bold] [red]not markup[/red]" in result.stdout


def test_inspecting_commands_do_not_import_the_crawl_stack(store: Inspected) -> None:
    commands = [
        ["--help"],
        ["status"],
        ["search", "flood"],
        ["show", store.corrected_id()],
        ["drops"],
        ["deliveries", "--status", "failed"],
    ]
    script = (
        "import sys\nfrom syndicator.cli import cli\n"
        f"for args in {commands!r}:\n"
        f"    try: cli(['--config', {str(store.config)!r}, *args], prog_name='syndicator')\n"
        "    except SystemExit as exc: assert not exc.code, (args, exc.code)\n"
        "heavy = sorted(m for m in ('scrapy', 'twisted', 'trafilatura') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr


# -- the --since parser ------------------------------------------------------------------


def test_since_parses_relative_and_absolute_times() -> None:
    now = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    assert parse_since("24h", now) == "2026-11-24T15:30:00+00:00"
    assert parse_since("7d", now) == "2026-11-18T15:30:00+00:00"
    assert parse_since("30m", now) == "2026-11-25T15:00:00+00:00"
    assert parse_since("2w", now) == "2026-11-11T15:30:00+00:00"
    assert parse_since("today", now) == "2026-11-25T00:00:00+00:00"
    assert parse_since("Yesterday", now) == "2026-11-24T00:00:00+00:00"
    assert parse_since("2026-11-17", now) == "2026-11-17T00:00:00+00:00"
    assert parse_since("2026-11-17T09:00+01:00", now) == "2026-11-17T08:00:00+00:00"
    assert parse_since("2026-11-17 09:00", now) == "2026-11-17T09:00:00+00:00"
    for bad in ("soon", "10", "7 parsecs", ""):
        with pytest.raises(InspectError, match="not a time"):
            parse_since(bad, now)


def test_status_and_duplicates_print_bracketed_text_as_it_is(tmp_path: Path) -> None:
    """Titles and errors come from the web; rich must not read them as markup."""
    from syndicator.store import Store

    config = write_config(tmp_path / "c.toml", [{"name": "web", "feeds": ["http://x.test/f"]}])
    store = Store(tmp_path / "store.db")
    row = {"source": "web", "title": "Budget [/] cuts [bold]now", "content_hash": "h"}
    store.save_article(
        {"id": "a1", "url": "http://x.test/a1", "canonical_url": "http://x.test/a1", **row}, []
    )
    store.save_article(
        {
            "id": "a2",
            "url": "http://x.test/a2",
            "canonical_url": "http://x.test/a2",
            "duplicate_of": "a1",
            **row,
        },
        [],
    )
    source = {"name": "web", "title": "web", "enabled": 1, "feeds": ["http://x.test/f"]}
    store.sync_sources([{**source, "sitemaps": [], "sections": []}])
    store.record_fetch("http://x.test/f", source="web", kind="feed", error="HTTP 500 [/x]")
    store.close()
    for command in ("status", "duplicates"):
        done = syndicator(command, config=config, env={"COLUMNS": "200"})
        assert done.returncode == 0, done.stderr
        assert "Budget [/] cuts [bold]now" in done.stdout or command == "status"
    assert "HTTP 500 [/x]" in syndicator("status", config=config, env={"COLUMNS": "200"}).stdout


def test_status_shows_the_present_not_removed_feeds_and_sources(tmp_path: Path) -> None:
    """A feed taken out of the config, and a source deleted from it, are not
    reported as if they were current."""
    from syndicator.store import Store

    config = write_config(tmp_path / "c.toml", [{"name": "web", "feeds": ["http://x.test/f"]}])
    store = Store(tmp_path / "store.db")
    store.sync_sources(
        [
            {"name": n, "title": n, "enabled": 1, "feeds": [], "sitemaps": [], "sections": []}
            for n in ("web", "gone")
        ]
    )
    store.record_fetch("http://x.test/f", source="web", kind="feed", status=200)
    store.record_fetch(
        "http://x.test/old-feed", source="web", kind="feed", status=404, error="HTTP 404"
    )
    store.record_fetch("http://y.test/f", source="gone", kind="feed", status=500, error="HTTP 500")
    store.close()
    status = json.loads(syndicator("status", "--json", config=config).stdout)
    sources = {row["source"]: row for row in status["sources"]}
    assert sources["web"]["last_error"] is None and sources["web"]["in_config"]
    assert not sources["gone"]["in_config"]
    shown = syndicator("status", config=config, env={"COLUMNS": "200"}).stdout
    assert "gone (not in the config)" in shown and "old-feed" not in shown
