"""Drop what is not a usable article, with the reason recorded."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from pipelines import Drop
from syndicator.body_measures import count_words
from syndicator.items import ArticleItem
from syndicator.scrapy_settings import config_from_settings
from syndicator.teaser_page import article_path

HTML_TYPES = ("text/html", "application/xhtml+xml")
# og:type values that mark a page as something other than a story; "website"
# only on a page with no date whose URL is no story's (many news sites give
# their articles og:type "website")
NOT_ARTICLE_TYPES = ("profile", "product", "book", "music.", "video.")
# reasons an operator should see in the crawl's log, not only in drops
WARNING_REASONS = ("fetch_failed", "extraction_failed", "extraction_budget")


class ValidatePipeline:
    def __init__(self, min_words: dict[str, int]) -> None:
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        config = config_from_settings(crawler.settings)
        return cls({source.name: source.min_words for source in config.sources})

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.fetch_error:
            level = "WARNING" if item.fetch_reason in WARNING_REASONS else "INFO"
            raise Drop(item.fetch_reason, item.fetch_error, log_level=level)
        ctype = item.content_type.split(";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            raise Drop("not_html", f"content type {ctype}")
        if item.problem and not item.body_text:
            raise Drop("no_body", item.problem)
        words = count_words(item.body_text)
        if words == 0:
            raise Drop("no_body", "the page has no article text")
        minimum = self.min_words.get(item.source, 1)
        if words < minimum:
            raise Drop("too_short", f"{words} words, the source's minimum is {minimum}")
        has_date = item.published_at or item.date or item.hints.get("published_at")
        if item.og_type.startswith(NOT_ARTICLE_TYPES) and not has_date:
            raise Drop("not_article", f"og:type is {item.og_type!r} and the page has no date")
        if item.og_type == "website" and not has_date and not article_path(urlsplit(item.url).path):
            raise Drop(
                "not_article",
                "og:type is 'website', the page has no date and its URL is no article's",
            )
        item.word_count = words
        return item
