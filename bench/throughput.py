"""End-to-end throughput: crawl -> extract -> dedup -> store, against plain trafilatura.

The 181 pages of the Zyte corpus are served on a local site, repeated under
distinct URLs (``--copies``, default 12: 2,172 pages), and crawled by
``syndicator crawl`` into a fresh store. The reference is plain single-process
``trafilatura.extract(html)`` over the same 2,172 pages, measured in the same
run. On a machine with N cores the ratio cannot pass N; the target on 2 cores
is 1.7.

The CPU time of the crawl's processes is printed too (main process, extraction
workers): where the time goes, per page; and the cores' own ceiling, plain
``trafilatura.extract`` in one process per core at once against one process.

Run from the repo root: ``python -m bench.throughput [--copies N]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.crawl_run import crawl
from bench.zyte_metric import load_pages
from bench.zyte_site import CorpusSite

TARGET = 1.7


def _extract_all(htmls: list[str]) -> float:
    """Seconds for plain ``trafilatura.extract`` over ``htmls``, after an untimed warm-up."""
    import trafilatura

    trafilatura.extract("<html><body><p>warm up</p></body></html>")  # lazy set-up
    start = time.perf_counter()
    for html in htmls:
        trafilatura.extract(html)
    return time.perf_counter() - start


def direct_pages_per_second(pages: dict[str, tuple[str, str]], copies: int) -> float:
    htmls = [html for _, html in pages.values()] * copies
    return len(htmls) / _extract_all(htmls)


def parallel_ceiling(pages: dict[str, tuple[str, str]], copies: int, one: float) -> float:
    """Plain ``trafilatura.extract`` in one process per core at once, all pages/s
    ÷ ``one`` process's: what the cores themselves allow (2.0 on 2 free cores;
    less where they are shared or throttled), so the throughput ratio can be
    read against it."""
    cores = os.cpu_count() or 1
    htmls = [html for _, html in pages.values()] * copies
    shares = [htmls[n::cores] for n in range(cores)]
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) as pool:
        seconds = list(pool.map(_extract_all, shares))
    return len(htmls) / max(seconds) / one


def run(copies: int = 12) -> dict[str, Any]:
    """Measure both; returns the figures (pages/s, ratio, CPU ms per page, ...)."""
    pages = load_pages()
    direct = direct_pages_per_second(pages, copies)
    ceiling = parallel_ceiling(pages, copies, direct)
    with CorpusSite(pages, copies) as site:
        # this process only serves the site meanwhile: its CPU time is the server's
        serving = time.process_time()
        result = crawl(site.sitemap_url)
        serving = time.process_time() - serving
        requests = site.page_requests
    shutil.rmtree(result.workdir, ignore_errors=True)
    measured = result.measured
    cpu = measured.cpu_by_process or {}
    per_page = 1000 / max(result.articles, 1)
    return {
        "pages": copies * len(pages),
        "stored": result.articles,
        "page_requests": requests,
        "exit": measured.returncode,
        "seconds": measured.seconds,
        "direct_pages_per_second": direct,
        "crawl_pages_per_second": result.pages_per_second,
        "ratio": result.pages_per_second / direct if direct else 0.0,
        "parallel_ceiling": ceiling,
        "cpu_ms_per_page_main": cpu.get("command", 0.0) * per_page,
        "cpu_ms_per_page_workers": (measured.cpu_seconds - cpu.get("command", 0.0)) * per_page,
        "direct_ms_per_page": 1000 / direct if direct else 0.0,
        "server_ms_per_page": serving * per_page,
        "peak_rss_mib": measured.peak_mib,
        "stderr": measured.stderr[-2000:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--copies", type=int, default=12, help="copies of the 181 pages")
    args = parser.parse_args(argv)
    r = run(args.copies)
    print(f"pages served: {r['pages']}, stored: {r['stored']}, page requests: {r['page_requests']}")
    print(f"plain trafilatura.extract, one process: {r['direct_pages_per_second']:.1f} pages/s")
    print(
        f"syndicator crawl (exit {r['exit']}): {r['crawl_pages_per_second']:.1f} pages/s, "
        f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"CPU per page: crawl process {r['cpu_ms_per_page_main']:.1f} ms + extraction workers "
        f"{r['cpu_ms_per_page_workers']:.1f} ms; the local site's server "
        f"{r['server_ms_per_page']:.1f} ms; plain extract {r['direct_ms_per_page']:.1f} ms"
    )
    print(
        f"ratio: {r['ratio']:.2f} (target {TARGET} on 2 cores); plain extract on every core "
        f"at once: {r['parallel_ceiling']:.2f}x one process"
    )
    if r["exit"] != 0 or r["stored"] < r["pages"]:
        print(r["stderr"])
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
