"""Only plain article markup goes on: no scripts, handlers, frames or unsafe URLs."""

from __future__ import annotations

import re

from scrapy.crawler import Crawler

from syndicator.items import ArticleItem
from syndicator.sanitize import plain_text, sanitize_html
from syndicator.scrapy_settings import config_from_settings
from syndicator.urls import is_http_url

# a BCP 47 language tag such as "en" or "en-US"; anything else in lang= is junk
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,4}$")


class SanitisePipeline:
    def __init__(self, nofollow: bool) -> None:
        self.nofollow = nofollow

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SanitisePipeline:
        return cls(config_from_settings(crawler.settings).publisher.nofollow_links)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        item.body_html = sanitize_html(item.body_html, nofollow=self.nofollow)
        item.title = plain_text(item.title) or None
        item.author = plain_text(item.author) or None
        item.description = plain_text(item.description) or None
        item.language = item.language if LANGUAGE_TAG.match(item.language or "") else None
        item.tags = [tag for tag in (plain_text(t) for t in item.tags) if tag]
        if item.image_url and not is_http_url(item.image_url):
            item.image_url = None
        item.teasers = [
            {
                "title": plain_text(t["title"]),
                "url": t["url"],
                "excerpt": plain_text(t.get("excerpt")),
                "image_url": t.get("image_url") if is_http_url(t.get("image_url") or "") else None,
            }
            for t in item.teasers
            if is_http_url(t["url"]) and plain_text(t["title"])
        ]
        return item
