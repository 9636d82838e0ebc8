"""Scrapy's scheduler with its queue on disk for the length of one crawl.

A sitemap of 50,000 URLs puts 50,000 requests in the queue at once; in memory
that is most of what a long crawl's footprint grows by. Scrapy keeps the queue
on disk when it has a job directory (``JOBDIR``), but a job directory also
means resuming an earlier crawl's queue. A crawl here never resumes (the next
run rediscovers, and the fetch state skips what is known), so this scheduler
gives its disk queue a fresh temporary folder and removes it at the end; the
folder of a crawl that was killed is removed by the next one. An explicit
``JOBDIR`` is honoured as Scrapy would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

PREFIX = "syndicator-queue-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned(folder: Path) -> None:
    """Remove the queue folders of crawls whose process is gone (killed ones)."""
    for path in folder.glob(f"{PREFIX}*"):
        pid = path.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


class DiskQueueScheduler(Scheduler):
    def __init__(self, *args: Any, jobdir: str | None = None, **kwargs: Any) -> None:
        self.scratch = None
        if not jobdir:
            remove_abandoned(Path(tempfile.gettempdir()))
            self.scratch = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        super().__init__(*args, jobdir=jobdir or self.scratch, **kwargs)

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
