"""Near-duplicate lookup cost as the fingerprint index grows.

For each size N, a fresh store on disk gets the fingerprints of N stored
articles (background: random 63-bit multiples of ``SAMPLE``, about as many per
article as :func:`~syndicator.neardup.fingerprints` keeps from a 300-word body,
written straight into ``fingerprints`` in hash order in one transaction; they
need no ``articles`` rows). Then the same new synthetic articles go through
what a crawl does with each one (:class:`pipelines.neardup.NearDupPipeline`,
then the store pipeline), timed:

    fingerprints(body)
    store.article_with_hash(content_hash, id)
    store.near_candidates(fps, id, MAX_BUCKET, MAX_CANDIDATES)
    compare(body, stored body) for each candidate, until one is the same story
    store.save_article(row, [], fps), with store.flush() every 200 articles

About 1% of the new articles are near-copies (a few words edited, or cut
short) of earlier ones, so candidates are found and compared. Finding them
takes one index lookup per fingerprint, so the cost per article should hardly
move from 10,000 to 1,000,000 stored articles; the ratio is measured in the
same run. The query plan of the candidate queries is printed once.

Run from the repo root: ``python -m bench.dedup [--sizes 10000,100000,1000000]
[--articles 2000] [--keep DIR]``. Timings are printed, never asserted; exits 1
only when a near-copy is missed, an original is taken for a copy, or the
candidate queries scan the fingerprints table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicator.config import Dedup
from syndicator.neardup import MAX_BUCKET, MAX_CANDIDATES, SAMPLE, compare, fingerprints
from syndicator.store import Store, article_id, content_hash

BODY_WORDS = 300
VOCABULARY = 4000
FLUSH_EVERY = 200  # the crawl's store batch
COPY_EVERY = 100  # one new article in 100 is a near-copy of an earlier one
EDITS = 5  # words replaced in an edited copy
CHUNK_ROWS = 100_000  # background rows generated (and sorted) at a time
SYLLABLES = ["ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "za", "an", "el", "or"]


@dataclass
class Article:
    id: str
    body: str
    copy_of: int | None  # index of the earlier new article it copies


@dataclass
class Result:
    stored: int
    rows: int
    build_seconds: float
    seconds: float
    candidate_seconds: float
    save_seconds: float
    articles: int
    compared: int
    copies_matched: int
    copies: int
    originals_matched: int

    @property
    def ms_per_article(self) -> float:
        return 1000 * self.seconds / self.articles

    @property
    def candidate_ms(self) -> float:
        return 1000 * self.candidate_seconds / self.articles

    @property
    def save_ms(self) -> float:
        return 1000 * self.save_seconds / self.articles


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def synthetic_body(rng: random.Random, words: list[str], weights: list[float]) -> str:
    tokens = rng.choices(words, weights=weights, k=BODY_WORDS)
    # paragraphs of 60 words, sentences of 12
    paragraphs = [
        ". ".join(" ".join(tokens[s : s + 12]) for s in range(p, p + 60, 12)) + "."
        for p in range(0, BODY_WORDS, 60)
    ]
    return "\n\n".join(paragraphs)


def near_copy(rng: random.Random, body: str, words: list[str], truncate: bool) -> str:
    """A copy cut to its first 60%, or with ``EDITS`` words replaced and re-wrapped."""
    tokens = body.split()
    if truncate:
        return " ".join(tokens[: len(tokens) * 3 // 5])
    for position in rng.sample(range(len(tokens)), EDITS):
        tokens[position] = rng.choice(words)
    return "\n".join(" ".join(tokens[i : i + 15]) for i in range(0, len(tokens), 15))


def new_articles(count: int, seed: int = 1) -> list[Article]:
    """``count`` distinct bodies from a Zipf-weighted vocabulary; every ``COPY_EVERY``-th
    one (after the first) is a near-copy of an earlier original."""
    rng = random.Random(seed)
    words = vocabulary(rng, VOCABULARY)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    articles: list[Article] = []
    originals: list[int] = []
    for n in range(count):
        url = f"https://new.example/story/{n}"
        if n and n % COPY_EVERY == COPY_EVERY // 2 and originals:
            source = rng.choice(originals)
            body = near_copy(rng, articles[source].body, words, truncate=n % 3 == 0)
            articles.append(Article(article_id(url), body, source))
        else:
            originals.append(n)
            articles.append(Article(article_id(url), synthetic_body(rng, words, weights), None))
    return articles


def article_row(
    article: Article, n: int, duplicate_of: str | None, score: float | None
) -> dict[str, Any]:
    url = f"https://new.example/story/{n}"
    now = "2026-01-01T00:00:00+00:00"
    return {
        "id": article.id,
        "source": "bench",
        "url": url,
        "canonical_url": url,
        "title": f"Story {n}",
        "author": "Bench Writer",
        "published_at": now,
        "language": "en",
        "tags": "[]",
        "description": article.body[:150],
        "body_html": "".join(f"<p>{p}</p>" for p in article.body.split("\n\n")),
        "body_text": article.body,
        "word_count": len(article.body.split()),
        "content_hash": content_hash(article.body),
        "duplicate_of": duplicate_of,
        "similarity": score,
        "revision": 1,
        "first_seen_at": now,
        "last_seen_at": now,
        "changed_at": now,
    }


def background_rows(articles: int, per_article: int, seed: int = 2) -> Iterator[tuple[int, str]]:
    """``articles * per_article`` (hash, article_id) rows in primary-key order: the
    hash space is cut into ranges, each filled with random multiples of ``SAMPLE``
    (as real fingerprints are) and sorted; each row goes to a random article."""
    rng = random.Random(seed)
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(articles)]
    total = articles * per_article
    chunks = max(1, total // CHUNK_ROWS)
    width = 2**63 // chunks
    for c in range(chunks):
        low = c * width
        span = (2**63 if c == chunks - 1 else low + width) - low
        n = total // chunks + (1 if c < total % chunks else 0)
        rows = sorted(
            ((low + rng.randrange(span)) // SAMPLE * SAMPLE, ids[int(rng.random() * articles)])
            for _ in range(n)
        )
        yield from rows


def build(path: Path, articles: int, per_article: int) -> tuple[int, float]:
    """A fresh store holding the background fingerprints; returns (rows, seconds)."""
    start = time.perf_counter()
    store = Store(path)
    conn: sqlite3.Connection = store.db.conn
    conn.execute("PRAGMA cache_size = -1000000")  # this connection only: 1 GB while building
    store.flush()
    before = conn.total_changes
    conn.execute("begin")
    conn.executemany(
        "insert or ignore into fingerprints (hash, article_id) values (?, ?)",
        background_rows(articles, per_article),
    )
    conn.commit()
    rows = conn.total_changes - before
    store.close()
    return rows, time.perf_counter() - start


def measure(path: Path, stored: int, rows: int, build_seconds: float, new: list[Article]) -> Result:
    """Time the new articles through the crawl's near-duplicate path on a fresh connection."""
    dedup = Dedup()
    store = Store(path, batch_size=sys.maxsize, batch_seconds=float("inf"))
    compared = copies_matched = originals_matched = 0
    candidate_seconds = save_seconds = 0.0
    start = time.perf_counter()
    for n, article in enumerate(new):
        fps = fingerprints(article.body)
        digest = content_hash(article.body)
        twin = store.article_with_hash(digest, other_than=article.id)
        found = time.perf_counter()
        near = store.near_candidates(fps, article.id, MAX_BUCKET, MAX_CANDIDATES)
        candidate_seconds += time.perf_counter() - found
        duplicate_of, score = None, None
        for candidate_id in dict.fromkeys(([twin["id"]] if twin else []) + near):
            stored_article = store.article(candidate_id)
            if stored_article is None:
                continue
            compared += 1
            similarity = compare(article.body, stored_article["body_text"] or "")
            if similarity.same_story(dedup.threshold, dedup.containment):
                duplicate_of = stored_article["duplicate_of"] or stored_article["id"]
                score = round(similarity.score, 3)
                break
        row = article_row(article, n, duplicate_of, score)
        saving = time.perf_counter()
        store.save_article(row, [], fps)
        if (n + 1) % FLUSH_EVERY == 0:
            store.flush()
        save_seconds += time.perf_counter() - saving
        if duplicate_of is not None:
            if article.copy_of is not None and duplicate_of == new[article.copy_of].id:
                copies_matched += 1
            elif article.copy_of is None:
                originals_matched += 1
    saving = time.perf_counter()
    store.flush()
    save_seconds += time.perf_counter() - saving
    seconds = time.perf_counter() - start
    store.close()
    copies = sum(1 for a in new if a.copy_of is not None)
    return Result(
        stored,
        rows,
        build_seconds,
        seconds,
        candidate_seconds,
        save_seconds,
        len(new),
        compared,
        copies_matched,
        copies,
        originals_matched,
    )


def query_plans(path: Path, article: Article) -> tuple[list[str], bool]:
    """The SQL ``near_candidates`` runs (caught by a trace callback, with its values
    bound) and ``EXPLAIN QUERY PLAN`` of each; True when none scans ``fingerprints``."""
    store = Store(path)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.near_candidates(fingerprints(article.body), article.id, MAX_BUCKET, MAX_CANDIDATES)
    store.db.conn.set_trace_callback(None)
    lines, ok = [], True
    for sql in statements:
        if "fingerprints" not in sql:
            continue
        shown = " ".join(sql.split())
        lines.append(f"  {shown[:110]}{' ...' if len(shown) > 110 else ''}")
        for row in store.db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = row[3]
            lines.append(f"    {detail}")
            if "fingerprints" in detail and "PRIMARY KEY" not in detail:
                ok = False
    store.close()
    return lines, ok and bool(statements)


def label(size: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


def print_table(results: list[Result]) -> None:
    base = results[0]
    header = (
        f"{'stored articles':>15} {'fingerprint rows':>16} {'build s':>8} "
        f"{'ms/article':>10} {'ratio to ' + label(base.stored):>12} "
        f"{'candidates ms':>13} {'save ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.stored:>15,} {r.rows:>16,} {r.build_seconds:>8.1f} {r.ms_per_article:>10.3f} "
            f"{r.ms_per_article / base.ms_per_article:>12.2f} {r.candidate_ms:>13.3f} "
            f"{r.save_ms:>8.3f}"
        )


def size_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=size_list,
        default=[10_000, 100_000, 1_000_000],
        help="stored articles to measure against, e.g. 10000,100000,1000000",
    )
    parser.add_argument("--articles", type=int, default=2000, help="new articles timed per size")
    parser.add_argument("--keep", type=Path, help="keep the stores (dedup-N.db) in DIR")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")

    new = new_articles(args.articles)
    counts = [len(fingerprints(a.body)) for a in new if a.copy_of is None]
    per_article = round(statistics.mean(counts))
    print(
        f"new articles: {len(new)} ({sum(a.copy_of is not None for a in new)} near-copies), "
        f"{BODY_WORDS}-word bodies, {VOCABULARY} words; fingerprints per original body: "
        f"mean {statistics.mean(counts):.1f} (min {min(counts)}, max {max(counts)}), "
        f"so {per_article} per background article\n"
    )

    if args.keep:
        workdir = args.keep.resolve()
        for size in args.sizes:
            if (workdir / f"dedup-{size}.db").exists():
                parser.error(f"{workdir / f'dedup-{size}.db'} exists; remove it first")
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="syndicator-bench-dedup-"))

    results: list[Result] = []
    plan: list[str] = []
    ok = True
    try:
        for size in args.sizes:
            path = workdir / f"dedup-{size}.db"
            rows, build_seconds = build(path, size, per_article)
            print(f"{label(size)}: {rows:,} background fingerprint rows in {build_seconds:.1f} s")
            result = measure(path, size, rows, build_seconds, new)
            results.append(result)
            print(
                f"  {result.ms_per_article:.3f} ms/article; {result.compared} candidates "
                f"compared; near-copies matched {result.copies_matched}/{result.copies}, "
                f"originals taken for copies {result.originals_matched}"
            )
            ok &= result.copies_matched == result.copies and result.originals_matched == 0
            if size == args.sizes[-1]:
                copy = next((a for a in new if a.copy_of is not None), new[-1])
                plan, plan_ok = query_plans(path, copy)
                ok &= plan_ok
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nnear_candidates' queries and their plans ({label(args.sizes[-1])} store):")
    print("\n".join(plan))
    print()
    print_table(results)
    first, last = results[0], results[-1]
    print(
        f"\nratio {label(last.stored)} / {label(first.stored)} = "
        f"{last.ms_per_article / first.ms_per_article:.2f} "
        "(an index lookup, not a scan, keeps this near 1)"
    )
    print(
        "ms/article = fingerprints + content-hash lookup + near_candidates + compare + "
        f"save_article, flushed every {FLUSH_EVERY}; of which candidates ms = near_candidates "
        "alone, save ms = save_article and flush (fingerprint, article and full-text inserts)"
    )
    if args.keep:
        print(f"\nkept the stores in {workdir}")
    if not ok:
        print(
            "\nFAIL: a near-copy was missed, an original was taken for a copy, "
            "or a candidate query scans fingerprints",
            file=sys.stderr,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
