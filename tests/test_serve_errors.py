"""What ``syndicator serve`` prints on its terminal when a request fails.

The browser's mistakes (SQL that SQLite refuses, a statement that is not a
SELECT, an unknown table) get Datasette's error page and at most one line on
the terminal, never a traceback; a bug in the server still gets its traceback.
See syndicator/serve/errors.py.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from datasette.plugins import pm
from datasette.utils import await_me_maybe
from datasette.utils.asgi import NotFound, Request
from datasette.views.base import DatasetteError

from syndicator.serve import build_datasette
from syndicator.store import Store
from tests.conftest import ROOT, write_config

ARTICLE_ID = "0123456789abcdef"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    s = Store(path)
    s.db["articles"].insert(
        {
            "id": ARTICLE_ID,
            "source": "herald",
            "url": "https://x/a",
            "canonical_url": "https://x/a",
            "title": "Bridge repairs begin",
            "body_text": "Bridge repairs begin",
            "content_hash": "h",
            "first_seen_at": "2026-11-18T09:00:00+00:00",
        }
    )
    s.db.conn.commit()
    s.close()
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    def stop(self) -> tuple[str, str]:
        """Stop it (Ctrl-C); what it printed on stdout and on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.out.read_text(), self.err.read_text()


@pytest.fixture
def served(store: Path) -> Iterator[Served]:
    """``syndicator serve`` on the store, in a subprocess."""
    config = write_config(store.parent / "c.toml", [])
    port = _free_port()
    command = [sys.executable, "-m", "syndicator", "--config", str(config), "serve"]
    out, err = store.parent / "serve.out", store.parent / "serve.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, out, err)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, err.read_text()
            try:
                if httpx.get(served.url + "/", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "syndicator serve did not answer"
            time.sleep(0.2)
        yield served
    finally:
        served.stop()


def test_invalid_sql_gives_the_browser_the_error_and_the_terminal_one_line(
    served: Served,
) -> None:
    with httpx.Client(base_url=served.url, timeout=10, trust_env=False) as client:
        page = client.get("/store", params={"sql": "select nope from"})
        assert page.status_code == 400
        assert "incomplete input" in page.text  # SQLite's message, on Datasette's page
        answer = client.get("/store.json", params={"sql": "select nope from articles"})
        assert answer.status_code == 400
        assert answer.json()["error"] == "no such column: nope"
        # not a SELECT: Datasette refuses it before SQLite sees it
        page = client.get("/store", params={"sql": "selec 1"})
        assert page.status_code == 400 and "Statement must be a SELECT" in page.text
        assert client.get("/store/no_such_table").status_code == 404
        # and the server still works
        answer = client.get("/store.json", params={"sql": "select id from articles"})
        assert answer.status_code == 200 and answer.json()["rows"] == [[ARTICLE_ID]]
    stdout, stderr = served.stop()
    assert "Traceback" not in stdout + stderr
    assert "serving " in stdout and len(stdout.splitlines()) == 1
    assert stderr.splitlines() == [
        "serve: SQL error from a request: incomplete input (select nope from)",
        "serve: SQL error from a request: no such column: nope (select nope from articles)",
    ]


def _handle(store: Path, path: str, exception: BaseException) -> list[Any]:
    """Every answer Datasette would await for ``exception``, raised by a view
    (app.py calls the hook from its ``except`` block)."""

    async def run() -> list[Any]:
        ds = build_datasette(store)
        request = Request.fake(path)
        answers = pm.hook.handle_exception(datasette=ds, request=request, exception=exception)
        return [await await_me_maybe(answer) for answer in answers]

    try:
        raise exception
    except type(exception):
        return asyncio.run(run())


def test_deliberate_errors_get_datasettes_page_without_a_traceback(
    store: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    [page] = _handle(store, "/store/nope", NotFound("Table not found: nope"))
    assert page.status == 404 and "Table not found: nope" in page.body
    assert "<title>Error 404</title>" in page.body  # Datasette's error.html
    [answer] = _handle(store, "/store.json", DatasetteError("bad", title="Invalid SQL", status=400))
    assert answer.status == 400 and '"error": "bad"' in answer.body
    assert capfd.readouterr() == ("", "")
    # Datasette's 5xx errors are not the browser's doing: one line
    [page] = _handle(store, "/store/articles", DatasetteError("Cannot sort table by x"))
    assert page.status == 500
    assert capfd.readouterr() == (
        "",
        "serve: error 500 for GET /store/articles: Cannot sort table by x\n",
    )


def test_a_bug_still_prints_its_traceback(store: Path, capfd: pytest.CaptureFixture[str]) -> None:
    answers = _handle(store, "/store", RuntimeError("a bug in a view"))
    assert answers[0].status == 500  # Datasette's default handler answers
    out, err = capfd.readouterr()
    assert "Traceback" in out + err and "a bug in a view" in out + err
