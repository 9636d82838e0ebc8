"""Extraction quality and speed: the syndicator crawl path against plain trafilatura.

Both are measured in the same run on the same machine, on the 181 pages of the
Zyte article extraction benchmark (see :mod:`bench.zyte_metric`):

a) direct: ``trafilatura.extract(html, include_comments=False)`` per page;
b) crawl: the pages served on a local site under their original paths, with a
   sitemap, crawled by ``python -m syndicator crawl`` with default settings into a
   fresh store.

Run from the repo root: ``python -m bench.extract [--pages N] [--keep DIR]``.
Exits 1 when the crawl fails or scores a lower F1 than the direct call.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.crawl_run import crawl as crawl_site
from bench.zyte_metric import load_ground_truth, load_pages, score
from bench.zyte_site import CorpusSite, UrlIndex

CRAWL_TIMEOUT = 900.0


@dataclass
class Result:
    method: str
    scores: dict[str, float]
    seconds: float
    pages: int
    failed: bool = False

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def run_direct(pages: dict[str, tuple[str, str]], truth: dict[str, str]) -> Result:
    import trafilatura

    # Untimed first call: trafilatura sets itself up lazily, which would skew a short run.
    trafilatura.extract("<html><body><p>warm up</p></body></html>")
    predictions: dict[str, str] = {}
    seconds = 0.0
    for key, (_, html) in pages.items():
        start = time.perf_counter()
        text = trafilatura.extract(html, include_comments=False)
        seconds += time.perf_counter() - start
        predictions[key] = text or ""
    return Result("trafilatura direct", score(predictions, truth), seconds, len(pages))


def read_store(db: Path) -> tuple[list[tuple[str, str | None, str | None]], list[tuple[str, str]]]:
    """Article rows (url, canonical_url, body_text) and drop rows (url, reason)."""
    if not db.is_file():
        return [], []
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT url, canonical_url, body_text FROM articles").fetchall()
        try:
            drops = conn.execute("SELECT url, reason FROM drops").fetchall()
        except sqlite3.OperationalError:
            drops = []
    return articles, drops


def crawl_predictions(
    articles: list[tuple[str, str | None, str | None]], index: UrlIndex
) -> dict[str, str]:
    predictions: dict[str, str] = {}
    for url, canonical, body in articles:
        key = index.find(url, canonical)
        # Several rows for one page: keep the first non-empty body.
        if key is not None and not predictions.get(key):
            predictions[key] = body or ""
    return predictions


def drop_reasons(missing: list[str], drops: list[tuple[str, str]], index: UrlIndex) -> Counter[str]:
    reason_of: dict[str, str] = {}
    for url, reason in drops:
        key = index.find(url)
        if key is not None:
            reason_of.setdefault(key, reason or "(empty reason)")
    return Counter(reason_of.get(key, "(no article, no drop recorded)") for key in missing)


def print_table(results: list[Result], direct: Result) -> None:
    header = f"{'method':<20} {'F1':>6} {'prec':>6} {'recall':>6} {'pages/s':>9} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = r.pages_per_second / direct.pages_per_second if direct.pages_per_second else 0.0
        # A failed crawl's speed means nothing.
        speed = (
            f"{'n/a':>9} {'n/a':>7}" if r.failed else f"{r.pages_per_second:>9.1f} {ratio:>7.2f}"
        )
        print(
            f"{r.method:<20} {r.scores['f1']:>6.3f} {r.scores['precision']:>6.3f} "
            f"{r.scores['recall']:>6.3f} {speed}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__)
    parser.add_argument("--pages", type=int, help="use only the first N page ids (sorted)")
    parser.add_argument("--keep", type=Path, help="keep the crawl's config and store in DIR")
    args = parser.parse_args(argv)

    truth = load_ground_truth()
    ids = sorted(truth)[: args.pages] if args.pages else sorted(truth)
    truth = {key: truth[key] for key in ids}
    pages = load_pages(ids)
    urls = {key: url for key, (url, _) in pages.items()}

    direct = run_direct(pages, truth)
    print(
        f"direct: {len(pages)} pages in {direct.seconds:.2f} s "
        f"({1000 * direct.seconds / len(pages):.1f} ms/page, one process)"
    )

    if args.keep:
        workdir = args.keep.resolve()
        if (workdir / "bench.db").exists():
            parser.error(f"{workdir / 'bench.db'} exists; a crawl would add to an old store")
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="syndicator-bench-"))
    with CorpusSite(pages) as site:
        # default settings, as a new user crawls (min_words included)
        run = crawl_site(site.sitemap_url, workdir, timeout=CRAWL_TIMEOUT, min_words=None)
    seconds, done = run.measured.seconds, run.measured

    articles, drops = read_store(workdir / "bench.db")
    index = UrlIndex(site.paths, urls)
    predictions = crawl_predictions(articles, index)
    crawl = Result(
        "syndicator crawl", score(predictions, truth), seconds, len(pages), done.returncode != 0
    )
    print(
        f"crawl: exit {done.returncode}, {seconds:.2f} s wall clock, {len(articles)} article rows"
    )
    if done.returncode != 0:
        print("crawl stderr (last lines):")
        print("\n".join(done.stderr.splitlines()[-20:]))
    print()
    print_table([direct, crawl], direct)

    missing = [key for key in ids if key not in predictions]
    empty = [key for key in ids if key in predictions and not predictions[key].strip()]
    print(f"\npages with an empty article body: {len(empty)}")
    print(f"pages without an article in the store: {len(missing)} of {len(ids)}")
    for reason, count in drop_reasons(missing, drops, index).most_common(10):
        print(f"  {count:>4}  {reason}")

    if args.keep:
        print(f"\nkept config and store in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)

    ok = done.returncode == 0 and crawl.scores["f1"] >= direct.scores["f1"]
    if not ok:
        print("\nFAIL: the crawl path must score an F1 at least the direct call's", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
