"""A news-please item pipeline for :mod:`bench.peers`: its JSON storage, in one file.

news-please's ``JsonFileStorage`` names each file after the URL's folder and the
second of download, so two pages ending in ``/`` in one folder, stored in the
same second, overwrite each other. This writes the very same record
(``extract_relevant_info``) as one JSON line per article to the file named by
the Scrapy setting ``PEERS_JSONL``, so every article is kept for scoring.

Runs inside the peers virtualenv (the news-please process imports it by its
dotted name): it must import nothing from syndicator or the rest of ``bench``.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from newsplease.pipeline.pipelines import ExtractedInformationStorage  # type: ignore[import-not-found]


class JsonLinesStorage:
    def __init__(self, path: str) -> None:
        self.path = path
        self.out: TextIO | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonLinesStorage:
        return cls(crawler.settings.get("PEERS_JSONL"))

    def open_spider(self, spider: Any = None) -> None:
        self.out = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close_spider)

    def close_spider(self, spider: Any = None) -> None:
        if self.out is not None:
            self.out.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        assert self.out is not None
        record = ExtractedInformationStorage.extract_relevant_info(item)
        self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        return item
