"""Scrapy's scheduler with its queue on disk for the length of one crawl.

A sitemap of 50,000 URLs puts 50,000 requests in the queue at once; in memory
that is most of what a long crawl's footprint grows by. Scrapy keeps the queue
on disk when it has a job directory (``JOBDIR``), but a job directory also
means resuming an earlier crawl's queue. A crawl here never resumes (the next
run rediscovers, and the fetch state skips what is known), so this scheduler
gives its disk queue a fresh temporary folder and removes it at the end.
An explicit ``JOBDIR`` is honoured as Scrapy would.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred


class DiskQueueScheduler(Scheduler):
    def __init__(self, *args: Any, jobdir: str | None = None, **kwargs: Any) -> None:
        self.scratch = None if jobdir else tempfile.mkdtemp(prefix="syndicator-queue-")
        super().__init__(*args, jobdir=jobdir or self.scratch, **kwargs)

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
