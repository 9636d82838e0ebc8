"""``syndicator serve`` and the charts, in process: the metadata describes the
whole schema (docs/store.md is generated from it), the served store cannot be written, the
Content-Security-Policy lets exactly Datasette's own inline scripts run, and
the chart numbers are the store's. The browser tests are in test_serve_browser.py."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from syndicator.report import read_report, render_charts, render_document
from syndicator.report.data import open_read_only
from syndicator.report.render import _ticks
from syndicator.serve import build_datasette, is_loopback, metadata
from syndicator.serve.security import content_security_policy, is_loopback_host
from syndicator.store import Store

T = "2026-11-18T10:00:00+00:00"


def aid(name: str) -> str:
    """An article id shaped like the store's (16 hex digits)."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with known rows: 3 + 1 articles, deliveries in three states, drops."""
    path = tmp_path / "store.db"
    s = Store(path)
    s.db.execute("insert into sources (name) values ('herald'), ('gazette')")
    rows = [
        ("a1", "herald", "2026-11-18"),
        ("a2", "herald", "2026-11-18"),
        ("a3", "herald", "2026-11-16"),
        ("b1", "gazette", "2026-11-18"),
        ("old", "gazette", "2026-10-01"),
    ]
    for id_, source, day in rows:
        s.db["articles"].insert(
            {
                "id": aid(id_),
                "source": source,
                "url": f"https://x/{id_}",
                "canonical_url": f"https://x/{id_}",
                "title": f"<script>alert('{id_}')</script>",
                "body_text": "Bridge repairs begin",
                "content_hash": id_,
                "first_seen_at": f"{day}T09:00:00+00:00",
            }
        )
    for article, partner, status in [
        ("a1", "wp", "sent"),
        ("a2", "wp", "failed"),
        ("a1", "hook", "sent"),
        ("b1", "hook", "pending"),
    ]:
        s.db["deliveries"].insert(
            {"article_id": aid(article), "partner": partner, "status": status, "updated_at": T}
        )
    for url, reason, source in [
        ("u1", "too_short", "herald"),
        ("u2", "too_short", "gazette"),
        ("u3", "fetch_failed", "herald"),
    ]:
        s.db["drops"].insert({"url": url, "reason": reason, "source": source, "at": T})
    s.db.conn.commit()
    s.close()
    return path


def test_metadata_describes_every_table_and_column_of_the_schema_and_no_other(
    tmp_path: Path,
) -> None:
    # docs/store.md is generated from the same metadata (tests/test_docs.py)
    tables = metadata()["databases"]["store"]["tables"]
    schema = sqlite3.connect(Store(tmp_path / "fresh.db").path)
    names = [
        r[0]
        for r in schema.execute(
            "select name from sqlite_master where type = 'table' and name not like 'articles_fts%'"
        )
    ]
    assert set(tables) == set(names)
    for table in names:
        assert tables[table].get("description"), table
        columns = [c for (c,) in schema.execute(f"select name from pragma_table_info('{table}')")]
        for column in columns:
            assert tables[table]["columns"].get(column), f"{table}.{column} has no description"
        assert set(tables[table]["columns"]) == set(columns), table


def _serve(store: Path, *paths: str) -> tuple[Any, list[Any]]:
    async def run() -> tuple[Any, list[Any]]:
        ds = build_datasette(store)
        await ds.invoke_startup()
        return ds, [await ds.client.get(path) for path in paths]

    return asyncio.run(run())


def test_the_store_cannot_be_written_through_datasette(store: Path) -> None:
    ds = build_datasette(store)
    db = ds.get_database("store")
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only|attempt to write"):
        asyncio.run(db.execute_write("delete from drops"))
    with pytest.raises(sqlite3.OperationalError):
        asyncio.run(db.execute_fn(lambda conn: conn.execute("delete from drops")))
    assert sqlite3.connect(store).execute("select count(*) from drops").fetchone() == (3,)


def test_the_csp_allows_exactly_datasettes_inline_scripts(store: Path) -> None:
    _, answers = _serve(
        store,
        "/",
        "/store",
        "/store/articles",
        f"/store/articles/{aid('a1')}",
        "/store/search?q=bridge",
        "/store?sql=select+1",
        "/-/syndicator/charts",
    )
    for answer in answers:
        assert answer.status_code == 200, answer.url
        csp = answer.headers["content-security-policy"]
        assert csp == content_security_policy()
        for script in re.findall(r"<script>(.*?)</script>", answer.text, re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp, (answer.url, script[:80])
        # the titles are markup-looking text: escaped, never a tag
        assert "<script>alert(" not in answer.text


def test_query_results_link_article_ids_to_their_rows(store: Path) -> None:
    _, [answer] = _serve(store, "/store/search?q=bridge")
    for name in ("a1", "a2", "b1"):
        assert f'<a href="/store/articles/{aid(name)}">{aid(name)}</a>' in answer.text


def test_loopback_only() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.com"))
    assert all(is_loopback_host(h) for h in ("127.0.0.1:8001", "localhost", "[::1]:80"))
    assert not any(is_loopback_host(h) for h in ("evil.example", "127.0.0.1.evil:80", ""))


def test_report_counts_the_store(store: Path) -> None:
    report = read_report(open_read_only(store), days=7, today=date(2026, 11, 18))
    articles, deliveries, drops = report.charts
    assert articles.categories[0] == "2026-11-12" and articles.categories[-1] == "2026-11-18"
    assert articles.series == ["herald", "gazette"]
    assert articles.count("2026-11-18", "herald") == 2 and articles.total("2026-11-18") == 3
    assert articles.grand_total == 4  # "old" is outside the window
    assert deliveries.categories == ["hook", "wp"]
    assert deliveries.series == ["sent", "pending", "failed"]
    assert deliveries.count("wp", "failed") == 1
    assert drops.categories == ["too_short", "fetch_failed"] and drops.total("too_short") == 2
    html = str(render_charts(report))
    assert "<title>2026-11-18 — herald: 2 articles</title>" in html
    assert "<title>wp — failed: 1 delivery</title>" in html
    assert "<title>too_short — gazette: 1 page dropped</title>" in html
    assert "4 articles in the last 7 days (herald: 3, gazette: 1)." in html


def test_an_empty_store_renders(tmp_path: Path) -> None:
    Store(tmp_path / "empty.db").close()
    page = render_document(read_report(open_read_only(tmp_path / "empty.db"), 3), "empty.db")
    assert "No deliveries so far, by current status." in page
    assert "No pages dropped in the last 3 days." in page


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (15, [0, 5, 10, 15]),
        (42, [0, 20, 40, 60]),
        (980, [0, 500, 1000]),
    ],
)
def test_ticks_are_round(top: int, ticks: list[int]) -> None:
    assert _ticks(top) == ticks


def test_serve_on_a_busy_port_is_one_line_and_exit_1(store: Path) -> None:
    import socket

    from tests.conftest import syndicator, write_config

    config = write_config(store.parent / "c.toml", [], store=str(store))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        port = busy.getsockname()[1]
        result = syndicator("serve", "--port", str(port), config=config, timeout=60)
    finally:
        busy.close()
    assert result.returncode == 1
    assert result.stdout == ""  # no "serving ... at" for a server that never was
    assert result.stderr == (
        f"syndicator: error: cannot serve on 127.0.0.1:{port}: Address already in use\n"
    )
