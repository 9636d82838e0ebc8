"""syndicator's own Datasette plugin: read-only connections, security headers,
the charts page, links from query results to the articles they name, and error
pages without a traceback on the terminal for the browser's mistakes.

Registered by :func:`syndicator.serve.build_datasette` (``pm.register``), so no
third-party plugin is needed.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Generator
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape

from syndicator.report import read_report, render_charts
from syndicator.serve.errors import error_page, is_deliberate
from syndicator.serve.security import protect

STORE = "store"  # the database's name in Datasette, so URLs are the same for every store
CHARTS_PATH = "/-/syndicator/charts"
DEFAULT_DAYS, MAX_DAYS = 14, 366
_ARTICLE_ID = re.compile(r"[0-9a-f]{16}")


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    # Datasette opens the store's read connections with mode=ro; this covers the
    # write connection too (Datasette opens one only for writes, which we never do),
    # and SQL cannot lift it: Datasette runs only SELECT statements from a request.
    if database == STORE:
        conn.execute("PRAGMA query_only = ON")


@hookimpl
def asgi_wrapper() -> Any:
    return protect


@hookimpl(wrapper=True)
def handle_exception(
    datasette: Any, request: Request, exception: BaseException
) -> Generator[None, list[Any], list[Any]]:
    """Datasette's own errors (invalid SQL, not found, ...): its error page, and no
    traceback on the terminal (see errors.py). A wrapper, because Datasette awaits
    every implementation's answer, so the default's traceback would be printed even
    if ours came first. Anything else is a bug: Datasette's default handler prints
    its traceback and renders the 500 page."""
    answers = yield
    if is_deliberate(exception):
        return [error_page(datasette, request, exception)]
    return answers


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path(CHARTS_PATH), "label": "Charts"}]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^{re.escape(CHARTS_PATH)}$", charts_page)]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """In query results (no table), an article id links to the article's row page."""
    if (
        table is None
        and database == STORE
        and column in ("article_id", "id")
        and isinstance(value, str)
        and _ARTICLE_ID.fullmatch(value)
    ):
        href = datasette.urls.row(STORE, "articles", value)
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


def _days(request: Request) -> int:
    try:
        return min(MAX_DAYS, max(1, int(request.args.get("days", DEFAULT_DAYS))))
    except ValueError:
        return DEFAULT_DAYS


async def charts_page(datasette: Any, request: Request) -> Response:
    days = _days(request)
    db = datasette.get_database(STORE)
    report = await db.execute_fn(lambda conn: read_report(conn, days))
    html = await datasette.render_template(
        "syndicator_charts.html",
        {"charts": render_charts(report), "report": report, "days": days},
        request=request,
    )
    return Response.html(html)
