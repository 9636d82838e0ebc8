"""Log lines on stderr, for people (``text``) or for log collectors (``json``:
one object per line with ``time``, ``level``, ``logger``, ``message``, and
``command``, ``run_id``, ``source`` when known).

The crawl and the publish step both log through :func:`stderr_logging`, so
``--log-format`` means the same for both, and every line passes the same
redaction: partner secrets are replaced by ``[secret]`` even if some library
were to log a header. The publish step runs every partner error through the
same :class:`Redactor` before it is stored or printed.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from syndicator.config import Config

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record. ``context`` is asked at each line, because
    some fields (the crawl's run id) are only known once the run has begun."""

    def __init__(self, context: Callable[[], dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.context = context

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        try:
            context = self.context() if self.context else {}
        except Exception:  # a log line without its run id beats "--- Logging error ---"
            context = {}
        for key, value in context.items():
            if value is not None:
                entry[key] = value
        # Scrapy's item messages (see logformatter.py) carry the source in their args
        args = record.args if isinstance(record.args, dict) else {}
        source = getattr(record, "source", None) or args.get("source")
        if source:
            entry["source"] = str(source)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


MIN_SECRET = 4  # shorter values are not secrets worth the name, and would match everywhere
# what is left of a secret cut short (a partner's message cut at our length limit)
# still counts from this many characters on
PREFIX = 8


def written_forms(secret: str) -> set[str]:
    """A secret as it can be written: as is, inside a URL (query or path), a
    JSON string (PHP's json_encode also escapes ``/``) or HTML."""
    as_json = json.dumps(secret)[1:-1]
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        as_json,
        as_json.replace("/", "\\/"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
    }


class Redactor:
    """Replaces every known secret in a text by ``[secret]``: in each of its
    :func:`written_forms`, and also where only its first :data:`PREFIX` or more
    characters are there (a message cut by a length limit inside a secret)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for s in secrets if len(s) >= MIN_SECRET for form in written_forms(s)}
        # longest first, so a secret containing another is replaced whole
        self.forms = sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:  # whole forms first, so each is replaced whole ...
            text = text.replace(form, "[secret]")
        for form in self.forms:  # ... then what is left of one cut short
            text = _replace_cut(text, form)
        return text


def _replace_cut(text: str, secret: str) -> str:
    """``text`` with each run of the first PREFIX or more characters of ``secret``
    replaced."""
    head = secret[:PREFIX]
    parts, start = [], 0
    while (at := text.find(head, start)) != -1:
        end = at + len(head)
        while end - at < len(secret) and end < len(text) and text[end] == secret[end - at]:
            end += 1
        parts += [text[start:at], "[secret]"]
        start = end
    return "".join(parts) + text[start:] if parts else text


class Redacting(logging.Formatter):
    """Wraps a formatter; redacts each secret in its output (tracebacks included)."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self.inner = inner
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.inner.format(record))


class NetworkFailuresOnOneLine(logging.Filter):
    """Scrapy logs a robots.txt it could not download (a refused connection, a
    timeout: the site's problem, not ours) with a traceback; its message already
    names the error, so the line goes without it. The crawl goes on as Scrapy
    does: with no robots.txt, the pages are fetched."""

    LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in self.LOGGERS and record.exc_info:
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def partner_secrets(config: Config) -> list[str]:
    """The partners' secrets as they could appear in a line: as set, without
    spaces (WordPress application passwords work either way), in a Basic auth
    header for the partner's user, and a webhook secret's key without its
    ``whsec_`` prefix. :class:`Redactor` adds how each is written in URLs,
    JSON and HTML."""
    found = []
    for partner in config.partners:
        variable = getattr(partner, "password_env", None) or getattr(partner, "secret_env", None)
        value = os.environ.get(variable or "")
        if not value:
            continue
        for variant in {value, value.replace(" ", ""), value.removeprefix("whsec_")}:
            found.append(variant)
            user = getattr(partner, "username", None)
            if user:
                found.append(base64.b64encode(f"{user}:{variant}".encode()).decode())
    return found


@contextmanager
def stderr_logging(
    log_format: str,
    level: str,
    secrets: Iterable[str] | Redactor = (),
    context: Callable[[], dict[str, Any]] | None = None,
) -> Iterator[logging.Handler]:
    """Send log records of ``level`` and above to stderr while the block runs,
    with ``secrets`` redacted."""
    inner = JsonFormatter(context) if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler = logging.StreamHandler()
    redact = secrets if isinstance(secrets, Redactor) else Redactor(secrets)
    handler.setFormatter(Redacting(inner, redact))
    handler.addFilter(NetworkFailuresOnOneLine())
    handler.setLevel(level)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
