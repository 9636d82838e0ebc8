"""Scrapy log lines for dropped items: one line, never the whole item."""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class OneLineLogFormatter(LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any = None
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        source = getattr(item, "source", "")
        url = getattr(item, "url", "")
        result["msg"] = "%(source)s: dropped %(url)s: %(exception)s"
        result["args"] = {"source": source, "url": url, "exception": exception}
        return result

    def item_error(
        self, item: Any, exception: BaseException, response: Any, spider: Any = None
    ) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        result["msg"] = "%(source)s: could not process %(url)s (the traceback follows)"
        result["args"] = {"source": getattr(item, "source", ""), "url": getattr(item, "url", "")}
        return result
