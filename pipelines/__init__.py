"""Scrapy item pipelines, one job each, run in this order:

validate -> normalise -> dedup -> neardup -> sanitise -> render -> gate -> store
"""

from __future__ import annotations

from scrapy.exceptions import DropItem


class Drop(DropItem):
    """An item dropped for a reason an operator can query in the ``drops`` table."""

    def __init__(self, reason: str, detail: str = "", *, log_level: str = "INFO") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level=log_level)
        self.reason = reason
        self.detail = detail
