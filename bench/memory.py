"""Memory: peak RSS of a 20,000-page crawl against a 2,000-page one.

Both crawl the Zyte corpus pages repeated under distinct URLs (see
:mod:`bench.zyte_site`) into a fresh store; the peak is the highest sum of
resident memory over the crawl's whole process tree (crawl process,
extraction workers), sampled from /proc. Nothing should be kept per page, so
the ratio should stay near 1 (target: at most 1.2).

Run from the repo root: ``python -m bench.memory [--small 12] [--large 111]``
(copies of the 181 pages).
"""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from bench.crawl_run import crawl
from bench.zyte_metric import load_pages
from bench.zyte_site import CorpusSite

TARGET = 1.2


def measure(pages: dict[str, tuple[str, str]], copies: int) -> dict[str, Any]:
    with CorpusSite(pages, copies) as site:
        result = crawl(site.sitemap_url)
    shutil.rmtree(result.workdir, ignore_errors=True)
    return {
        "pages": copies * len(pages),
        "stored": result.articles,
        "exit": result.measured.returncode,
        "seconds": result.measured.seconds,
        "peak_rss_mib": result.measured.peak_mib,
        "stderr": result.measured.stderr[-2000:],
    }


def run(small: int = 12, large: int = 111) -> dict[str, Any]:
    pages = load_pages()
    first, second = measure(pages, small), measure(pages, large)
    ratio = second["peak_rss_mib"] / first["peak_rss_mib"] if first["peak_rss_mib"] else 0.0
    return {"small": first, "large": second, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--small", type=int, default=12, help="copies for the small crawl")
    parser.add_argument("--large", type=int, default=111, help="copies for the large crawl")
    args = parser.parse_args(argv)
    r = run(args.small, args.large)
    for name in ("small", "large"):
        m = r[name]
        print(
            f"{m['pages']:>6} pages: stored {m['stored']}, exit {m['exit']}, "
            f"{m['seconds']:.0f} s, peak RSS {m['peak_rss_mib']:.0f} MiB"
        )
    print(f"ratio: {r['ratio']:.2f} (target at most {TARGET})")
    failed = [m for m in (r["small"], r["large"]) if m["exit"] != 0 or m["stored"] < m["pages"]]
    for m in failed:
        print(m["stderr"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
