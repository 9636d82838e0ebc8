"""Extraction processes with a budget for each page.

:class:`ExtractionPool` runs :func:`syndicator.extraction.extract_page` in a few
spawned processes and is awaited from the crawl's asyncio loop. Each page's
extraction may take ``timeout`` seconds and ``max_memory_mb`` of memory; a page
over either comes back as :class:`ExtractionError` (reason ``extraction_budget``)
and the pool goes on with the other pages. Feeds and sitemaps are read here too
(:meth:`ExtractionPool.run`), under the same budget: feedparser spends seconds
on a large or deeply nested feed, which in the crawl process would stall every
download.

- Time: in the worker, a timer (SIGALRM) interrupts Python code at the timeout.
  Code stuck in C (lxml on a huge document) cannot take the signal, so the crawl
  process also kills a worker whose page is not back ``GRACE`` seconds later.
- Memory: the worker's address space is capped (RLIMIT_AS) at what it holds
  after start-up plus ``max_memory_mb``. The kernel refuses the allocation that
  would pass it, so nothing grows past the budget and the worker lives on
  (MemoryError) instead of the OOM killer picking a process.
- A worker that went over either budget is replaced, so the next page starts
  clean with the whole budget.
- A worker that dies (SIGKILL, the OOM killer, a crash) is replaced and the
  page it was working on tried once more; a page that fails twice comes back
  with reason ``extraction_failed``.

Each worker is sent at most ``AHEAD`` pages: the one it works on and the next,
so it never waits for the crawl process between pages (the price: a page sent
behind a slow one waits for it, at most the timeout). Pages and results go
pickled over one socket pair per worker, framed by their length.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import pickle
import resource
import signal
import socket
import struct
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from syndicator.extraction import extract_page

BUDGET = "extraction_budget"  # drop reasons
FAILED = "extraction_failed"
GRACE = 3.0  # seconds past the timeout before a worker that does not answer is killed
AHEAD = 2  # pages sent to one worker at once
START_FAILURES = 3  # workers in a row dead before they were ready: the pool gives up
_HEADER = struct.Struct("!Q")
_PICKLE = pickle.HIGHEST_PROTOCOL


class ExtractionError(Exception):
    """A page that was not extracted: ``reason`` for ``drops``, ``detail`` one line."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# -- in the worker process ------------------------------------------------------

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """The worker is killed when the crawl process dies.

    A crawl stopped normally closes its pool; one killed outright (SIGKILL,
    the OOM killer) cannot, and its workers would wait forever for the next
    page. Spawned workers are children of the crawl process, so the kernel can
    do it (Linux); elsewhere the pool's own close is all there is."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the crawl died before the line above
        os._exit(0)


class _OverTime(BaseException):
    """Raised by the timer: a BaseException, so that no ``except Exception`` in
    trafilatura or lxml swallows it."""


def _over_time(signum: int, frame: Any) -> None:
    raise _OverTime


def _memory_kb() -> tuple[int, int]:
    """This process's address space now and at its peak, in kB (0, 0 without /proc)."""
    size = peak = 0
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmSize:"):
                    size = int(line.split()[1])
                elif line.startswith(b"VmPeak:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    return size, peak


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_HEADER.pack(len(data)))
    sock.sendall(data)


def _extract(job: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
    """One job, ``(function, arguments)``: ``(outcome, result or error)``."""
    function, args = job
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return "done", function(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OverTime:
        return "over_time", None
    except MemoryError:
        return "over_memory", None
    except Exception as exc:  # a bug: the page is recorded, the worker goes on
        return "failed", f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _serve(sock: socket.socket, parent: int, timeout: float, max_memory_mb: int) -> None:
    """A worker: extract pages one at a time until the crawl process hangs up."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle
    signal.signal(signal.SIGALRM, _over_time)
    budget_kb = max_memory_mb * 1024
    base_kb = _memory_kb()[0]  # after the imports: what every worker holds
    cap_kb = base_kb + budget_kb if base_kb else 0
    if cap_kb:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        cap = cap_kb * 1024 if hard == resource.RLIM_INFINITY else min(cap_kb * 1024, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    # the pool hanging up (closed, or replacing this worker) is no error to report
    with contextlib.suppress(ConnectionError, EOFError):
        _work(sock, timeout, base_kb, budget_kb, cap_kb)


def _work(sock: socket.socket, timeout: float, base_kb: int, budget_kb: int, cap_kb: int) -> None:
    margin_kb = budget_kb // 8
    incoming = sock.makefile("rb")
    _send(sock, pickle.dumps("ready"))
    peak_kb = base_kb
    while True:
        header = incoming.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the pool closed
        job = pickle.loads(incoming.read(_HEADER.unpack(header)[0]))
        outcome, payload = _extract(job, timeout)
        del job
        size_kb, last_peak_kb = _memory_kb()
        # libraries may catch a MemoryError and carry on (trafilatura takes a page
        # that lxml could not parse for lack of memory for "not HTML"): a page that
        # took the worker near its cap is over the budget, whatever came of it
        near_cap = cap_kb and last_peak_kb > peak_kb and last_peak_kb >= cap_kb - margin_kb
        if near_cap and outcome in ("done", "failed"):
            outcome, payload = "over_memory", None
        peak_kb = last_peak_kb
        # a page over the budget may have left half-done work behind; a worker that
        # kept much of what a page needed leaves the next page less
        retire = outcome in ("over_time", "over_memory") or size_kb > base_kb + budget_kb // 2
        try:
            reply = pickle.dumps((outcome, payload, retire), _PICKLE)
        except MemoryError:
            outcome, payload, retire = "over_memory", None, True
            reply = pickle.dumps((outcome, payload, retire), _PICKLE)
        del payload
        _send(sock, reply)
        if retire:
            return


# -- in the crawl process -------------------------------------------------------


@dataclass(eq=False)
class _Job:
    args: tuple[Any, ...]  # (function, its arguments), pickled when sent (again if tried again)
    future: asyncio.Future[Any]
    doing: str = "extraction"  # what the job does, and what it works on, for an error's detail
    subject: str = "page"
    deaths: int = 0


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing's SpawnProcess
    sock: socket.socket
    jobs: deque[_Job] = field(default_factory=deque)  # sent; jobs[0] is being worked on
    ready: bool = False
    writer: asyncio.StreamWriter | None = None
    listener: asyncio.Task[None] | None = None
    deadline: asyncio.TimerHandle | None = None
    stopped: bool = False


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no loop running (a pool closed outside the crawl)
        return None


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    return f"exit code {exitcode}"


class ExtractionPool:
    """Runs :func:`extract_page` in worker processes, awaitable from asyncio."""

    def __init__(
        self, workers: int | None = None, *, timeout: float = 20.0, max_memory_mb: int = 1024
    ) -> None:
        # spawned, not forked: the crawl process has threads (forking it is unsafe),
        # and a forkserver would outlive a killed crawl
        self._context = multiprocessing.get_context("spawn")
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self._queue: deque[_Job] = deque()  # not sent to a worker yet
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_failures = 0
        self._broken: str | None = None
        self._closed = False
        # started now, so that they import while the crawl reads feeds and sitemaps
        self._pool = [self._spawn() for _ in range(self.workers)]

    async def extract(
        self,
        html: str,
        url: str,
        teaser_selectors: dict[str, Any] | None = None,
        learned: dict[str, list[str]] | None = None,
        boilerplate: dict[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        """The page's extraction (:func:`syndicator.extraction.extract_page`),
        or :class:`ExtractionError`."""
        result: dict[str, Any] = await self.run(
            extract_page, html, url, teaser_selectors, learned, boilerplate
        )
        return result

    async def run(
        self, function: Any, *args: Any, doing: str = "extraction", subject: str = "page"
    ) -> Any:
        """``function(*args)`` in a worker, under the budget, or
        :class:`ExtractionError`. ``function`` is a module-level function (it
        goes to the worker by name); ``doing`` and ``subject`` name the job and
        what it works on in an error ("reading the feed", "feed")."""
        if self._broken or self._closed:
            raise ExtractionError(FAILED, self._broken or "the extraction pool is closed")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._pool:
                self._listen(worker)
        job = _Job((function, args), self._loop.create_future(), doing, subject)
        self._queue.append(job)
        self._dispatch()
        return await job.future

    def close(self) -> None:
        """Stop every worker at once (they hold nothing worth waiting for)."""
        self._closed = True
        for worker in self._pool:
            self._stop(worker, kill=True)
            self._queue.extend(worker.jobs)
        for job in self._queue:
            if not job.future.done():
                job.future.cancel()
        self._queue.clear()

    # -- workers ---------------------------------------------------------------

    def _spawn(self) -> _Worker:
        mine, theirs = socket.socketpair()
        args = (theirs, os.getpid(), self.timeout, self.max_memory_mb)
        process = self._context.Process(target=_serve, args=args, daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, mine)
        if self._loop is not None:
            self._listen(worker)
        return worker

    def _listen(self, worker: _Worker) -> None:
        assert self._loop is not None
        worker.listener = self._loop.create_task(self._read(worker))

    async def _read(self, worker: _Worker) -> None:
        reader, writer = await asyncio.open_unix_connection(sock=worker.sock)
        if worker.stopped:  # while connecting
            writer.transport.abort()
            return
        worker.writer = writer
        try:
            while not worker.stopped:
                size = _HEADER.unpack(await reader.readexactly(_HEADER.size))[0]
                message = pickle.loads(await reader.readexactly(size))
                if message == "ready":
                    worker.ready, self._start_failures = True, 0
                else:
                    self._answered(worker, *message)
                self._dispatch()
        except (asyncio.IncompleteReadError, ConnectionError):
            if not worker.stopped:
                self._died(worker)

    def _dispatch(self) -> None:
        """Send waiting pages: first one to each free worker, then a next one."""
        for depth in range(AHEAD):
            for worker in self._pool:
                while self._queue and self._queue[0].future.done():
                    self._queue.popleft()  # its crawl callback was cancelled
                if not self._queue:
                    return
                if worker.ready and worker.writer is not None and len(worker.jobs) == depth:
                    job = self._queue.popleft()
                    worker.jobs.append(job)
                    data = pickle.dumps(job.args, _PICKLE)
                    worker.writer.write(_HEADER.pack(len(data)))
                    worker.writer.write(data)
                    if depth == 0:
                        self._arm(worker)

    def _arm(self, worker: _Worker) -> None:
        """The crawl process's own deadline for the page the worker works on."""
        if worker.deadline is not None:
            worker.deadline.cancel()
        worker.deadline = None
        if worker.jobs and self._loop is not None:
            worker.deadline = self._loop.call_later(self.timeout + GRACE, self._overdue, worker)

    def _answered(self, worker: _Worker, outcome: str, payload: Any, retire: bool) -> None:
        job = worker.jobs.popleft()
        self._arm(worker)
        if outcome == "done":
            if not job.future.done():
                job.future.set_result(payload)
        elif outcome == "failed":
            self._fail(job, FAILED, f"{job.doing} failed: {payload}")
        else:
            self._over_budget(job, outcome)
        if retire:
            self._replace(worker)

    def _over_budget(self, job: _Job, outcome: str) -> None:
        if outcome == "over_memory":
            detail = (
                f"{job.doing} needed more than {self.max_memory_mb} MB "
                "(the [extraction] max_memory_mb)"
            )
        else:
            detail = f"{job.doing} took longer than {self.timeout:g} s (the [extraction] timeout)"
        self._fail(job, BUDGET, detail)

    def _overdue(self, worker: _Worker) -> None:
        """The worker did not answer in time (stuck in C code, or stopped)."""
        worker.deadline = None
        self._over_budget(worker.jobs.popleft(), "over_time")
        self._replace(worker)

    def _died(self, worker: _Worker) -> None:
        how = self._stop(worker, kill=False)
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= START_FAILURES:
                self._break(f"the extraction processes do not start ({how}; see the log)")
                return
        if worker.jobs:
            job = worker.jobs[0]
            job.deaths += 1
            if job.deaths > 1:
                worker.jobs.popleft()
                detail = f"the extraction process died twice on this {job.subject} ({how})"
                self._fail(job, FAILED, detail)
        self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        """A new worker in the place of this one; its pages go back to the front
        of the queue (only the one it worked on counts as tried)."""
        self._stop(worker, kill=True)
        self._queue.extendleft(reversed(worker.jobs))
        worker.jobs.clear()
        if self._closed or self._broken:
            return
        try:
            self._pool[self._pool.index(worker)] = self._spawn()
        except OSError as exc:  # out of processes or file descriptors
            self._break(f"cannot start an extraction process: {exc}")
            return
        self._dispatch()

    def _stop(self, worker: _Worker, *, kill: bool) -> str:
        """End the worker's process and connection; how the process ended."""
        worker.stopped = True
        if worker.deadline is not None:
            worker.deadline.cancel()
            worker.deadline = None
        if worker.writer is not None:
            # the transport closes the socket when the loop has let go of it; closed
            # here, its number could go to a new socket while still registered
            worker.writer.transport.abort()
            if worker.listener is not _current_task():
                worker.listener.cancel()  # type: ignore[union-attr]
        elif worker.listener is None:
            worker.sock.close()
        # else its listener is connecting, and closes what it made when it sees `stopped`
        process = worker.process
        if kill and process.exitcode is None:
            process.kill()
        process.join(1)  # a dead process is reaped at once
        if process.exitcode is None:  # hung up but still running: not for long
            process.kill()
            process.join(1)
        return _how(process.exitcode)

    def _fail(self, job: _Job, reason: str, detail: str) -> None:
        if not job.future.done():
            job.future.set_exception(ExtractionError(reason, detail))

    def _break(self, reason: str) -> None:
        self._broken = reason
        for worker in self._pool:
            self._stop(worker, kill=True)
            self._queue.extend(worker.jobs)
        for job in self._queue:
            self._fail(job, FAILED, reason)
        self._queue.clear()
