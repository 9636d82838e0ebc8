"""Scrapy spiders. ``sources`` is the one syndicator runs."""
