"""Crawling on several machines through one Redis, with scrapy-redis.

What runs where (docs/cluster.md):

- **workers** (``syndicator crawl --worker``, any number, any machine): the
  ``sources-worker`` spider with scrapy-redis's scheduler. They pop requests
  from the shared queue, fetch and extract, and push items to a Redis list.
  They keep no state but Redis.
- **ingest** (``syndicator ingest``, one, beside the SQLite store): drains the
  item list through the usual pipelines into the store.
- **coordinator** (``syndicator run`` or ``crawl`` with ``[cluster]``): seeds
  the sources' feeds, sitemaps, sections and due rechecks, waits until
  everything is drained, then publishes.

:mod:`.shared` holds every Redis key and the atomic operations on them.
"""
