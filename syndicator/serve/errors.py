"""What ``syndicator serve`` prints on its terminal when a request fails.

Datasette 0.65 reports a failed request on the server's terminal in two ways
of its own, neither of which a setting turns off:

- its default ``handle_exception`` hook prints a Rich traceback with every
  frame's local variables (on stdout) whenever Rich is importable, which it
  is here (a dependency of ours), even for an answer that is the browser's
  doing: a 400 for a statement that is not a SELECT or an invalid ``_where``,
  a 404 for an unknown table;
- ``Database.execute`` writes ``ERROR: conn=<sqlite3.Connection ...>, sql =
  ..., params = ...: message`` on stderr for every statement SQLite refuses
  (its ``log_sql_errors`` argument, which Datasette's own views leave on), as
  when an operator's query in the SQL box has a syntax error.

An operator's typo is not a fault of the server: the browser gets Datasette's
usual error page (or JSON), and the terminal gets at most one line. Our
plugin's ``handle_exception`` is a pluggy hook *wrapper*: Datasette awaits the
answer of every implementation of the hook and sends the first, so a plain
implementation could choose the page but not stop the default from printing.
For Datasette's deliberate errors (``DatasetteError`` and the ``Base400``
family) the wrapper replaces all answers with :func:`error_page`, which renders
the same templates with the same context as the default and prints one line
only for a 5xx status. Every other exception is a bug: the default handler
prints its traceback and renders the 500 page, as before.
:class:`StoreDatabase` turns Datasette's SQL error line into one readable line.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from typing import Any

from datasette.database import Database
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Request, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

SHOWN_SQL = 120  # characters of the statement shown in the terminal line


def one_line(text: str, limit: int = SHOWN_SQL) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(message: str) -> None:
    """One line on the terminal that runs ``syndicator serve``."""
    sys.stderr.write(f"serve: {one_line(message, 300)}\n")
    sys.stderr.flush()


class StoreDatabase(Database):
    """Datasette's database, reporting a statement SQLite refused in one line."""

    async def execute(
        self,
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Any:
        try:
            return await super().execute(
                sql,
                params=params,
                truncate=truncate,
                custom_time_limit=custom_time_limit,
                page_size=page_size,
                log_sql_errors=False,  # not Datasette's line with the connection and params
            )
        except sqlite3.DatabaseError as error:
            if log_sql_errors:
                report(f"SQL error from a request: {error} ({one_line(sql)})")
            raise


def is_deliberate(exception: BaseException) -> bool:
    """True for the errors Datasette raises on purpose to answer a request."""
    return isinstance(exception, Base400 | DatasetteError)


async def error_page(datasette: Any, request: Request, exception: BaseException) -> Response:
    """Datasette's error page (or JSON) for a deliberate error, without the traceback.

    The same templates and context as Datasette's default ``handle_exception``.
    """
    title = None
    if isinstance(exception, Base400):
        status = exception.status
        info: dict[str, Any] = {}
        message: Any = exception.args[0] if exception.args else ""
    else:
        assert isinstance(exception, DatasetteError)
        status = exception.status
        info = dict(exception.error_dict)
        message = Markup(exception.message) if exception.message_is_html else exception.message
        title = exception.title
    if status >= 500:
        report(f"error {status} for {request.method} {request.full_path}: {message}")
    info.update({"ok": False, "error": message, "status": status, "title": title})
    headers: dict[str, str] = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async(
        dict(
            info,
            urls=datasette.urls,
            app_css_hash=datasette.app_css_hash(),
            menu_links=lambda: [],
        )
    )
    return Response.html(html, status=status, headers=headers)
