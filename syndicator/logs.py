"""Log lines on stderr, for people (``text``) or for log collectors (``json``:
one object per line with ``time``, ``level``, ``logger``, ``message``, and
``command``, ``run_id``, ``source`` when known).

The crawl and the publish step both log through :func:`stderr_logging`, so
``--log-format`` means the same for both, and every line passes the same
redaction: partner secrets are replaced by ``[secret]`` even if some library
were to log a header.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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


class Redacting(logging.Formatter):
    """Wraps a formatter; replaces each secret in its output (tracebacks included)."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # longest first, so a secret containing another is replaced whole
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, "[secret]")
        return line


def partner_secrets(config: Config) -> list[str]:
    """The partners' secrets as they could appear in a line: as set, without
    spaces (WordPress application passwords), and in a Basic auth header."""
    found = []
    for partner in config.partners:
        variable = getattr(partner, "password_env", None) or getattr(partner, "secret_env", None)
        value = os.environ.get(variable or "")
        if not value:
            continue
        for variant in {value, value.replace(" ", "")}:
            found.append(variant)
            user = getattr(partner, "username", None)
            if user:
                found.append(base64.b64encode(f"{user}:{variant}".encode()).decode())
    return found


@contextmanager
def stderr_logging(
    log_format: str,
    level: str,
    secrets: Iterable[str] = (),
    context: Callable[[], dict[str, Any]] | None = None,
) -> Iterator[logging.Handler]:
    """Send log records of ``level`` and above to stderr while the block runs."""
    inner = JsonFormatter(context) if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler = logging.StreamHandler()
    handler.setFormatter(Redacting(inner, secrets))
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
