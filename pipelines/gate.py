"""The quality gate: a copy that fails a check is held back from partners
with its reason (``articles.hold``); see :mod:`syndicator.quality_gate`."""

from __future__ import annotations

from dataclasses import asdict

from scrapy.crawler import Crawler

from syndicator.config import Config
from syndicator.items import ArticleItem
from syndicator.quality_gate import SourceHistory, check
from syndicator.scrapy_settings import config_from_settings, store_for
from syndicator.store import Store

HISTORY = 50  # a source's latest articles its history is read from


class QualityGatePipeline:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        self.gates = {source.name: source.gate for source in config.sources}
        # a paywalled copy is held unless the source's terms allow it (syndicator.rights)
        self.paywalled = {source.name: source.paywalled for source in config.sources}
        self.store = store
        # each source's history as the run started: this run's copies are judged alike
        self.history: dict[str, SourceHistory] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QualityGatePipeline:
        return cls(config_from_settings(crawler.settings), store_for(crawler))

    def _history(self, source: str) -> SourceHistory:
        if source not in self.history:
            rows = []
            if self.store is not None:
                rows = self.store.db.execute(
                    """select a.language,
                         exists(select 1 from teasers t where t.article_id = a.id)
                       from articles a where a.source = ? and a.duplicate_of is null
                       order by a.first_seen_at desc limit ?""",
                    [source, HISTORY],
                ).fetchall()
            self.history[source] = SourceHistory.of(
                (row[0] for row in rows), (bool(row[1]) for row in rows)
            )
        return self.history[source]

    def process_item(self, item: ArticleItem) -> ArticleItem:
        gate = self.gates.get(item.source)
        # an unchanged copy keeps its verdict (and an operator's release)
        if gate is None or item.state == "unchanged":
            return item
        reasons = check(asdict(item), gate, self._history(item.source)) if gate.enabled else []
        if item.paywalled and self.paywalled.get(item.source) == "hold":
            reasons.insert(0, f"paywalled: {item.paywalled}")
        item.hold = "; ".join(reasons) or None
        return item
