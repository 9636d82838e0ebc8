"""Signals syndicator's crawl components send each other (Scrapy-style)."""

# sent by the spider when a feed, sitemap or section page is broken:
# handlers receive url=, source=, error= (one line)
fetch_problem = object()
