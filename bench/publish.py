"""Publish throughput: deliveries per second to slow local partners, against the limit.

Two webhook partners on 127.0.0.1 each answer every request after a fixed
latency (a :class:`~syndicator.demo.receivers.faults.Fault` with ``status=None``).
With ``concurrency`` requests in flight per partner, no publisher can beat

    limit = sum over partners of concurrency / latency

deliveries per second (2 partners x 4 / 0.05 s = 160/s). For each concurrency
asked for, a fresh copy of a store holding N synthetic articles is published
by ``python -m syndicator publish`` in a subprocess, timed by wall clock; then
``publish`` runs once more, sending nothing, and its time is shown as the fixed
start-up cost (Python, imports, config, store, queue checks).

Run from the repo root: ``python -m bench.publish [--articles N] [--latency S]
[--concurrency 4,8,16]``. Timings are printed, never asserted; exits 1 only
when a run did not deliver every article exactly once to every partner.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.command import PUBLISHER, run_syndicator
from syndicator.demo.receivers.faults import Fault
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.store import Store, article_id, content_hash

REPO_ROOT = Path(__file__).resolve().parent.parent
PARTNERS = 2
BODY_WORDS = 300
PUBLISH_TIMEOUT = 900.0
WORDS = ["council", "bridge", "river", "school", "budget", "mayor", "street", "park", "storm"]

CONFIG = (
    PUBLISHER
    + """
[[sources]]
name = "bench"
feeds = ["http://127.0.0.1:9/feed.xml"]
"""
)

PARTNER = """
[[partners]]
name = "{name}"
kind = "webhook"
url = "{url}"
secret_env = "{env}"
concurrency = {concurrency}
allow_networks = ["127.0.0.1/32"]
"""


@dataclass
class Result:
    concurrency: int
    articles: int
    latency: float
    seconds: float
    startup: float

    @property
    def deliveries(self) -> int:
        return PARTNERS * self.articles

    @property
    def limit(self) -> float:
        return PARTNERS * self.concurrency / self.latency

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds

    @property
    def rate_without_startup(self) -> float:
        work = self.seconds - self.startup
        return self.deliveries / work if work > 0 else float("inf")


def build_store(path: Path, count: int) -> None:
    """A store with one source, ``bench``, and ``count`` distinct synthetic articles."""
    rng = random.Random(1)
    store = Store(path, batch_size=500)
    store.sync_sources(
        [
            {
                "name": "bench",
                "title": "The Bench Gazette",
                "enabled": 1,
                "feeds": ["http://127.0.0.1:9/feed.xml"],
                "sitemaps": [],
                "sections": [],
            }
        ]
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for n in range(count):
        url = f"https://bench.example/news/{n:05d}-story"
        title = f"Story {n}: {' '.join(rng.choices(WORDS, k=6))}"
        paragraphs = [" ".join(rng.choices(WORDS, k=BODY_WORDS // 5)) for _ in range(5)]
        body_text = "\n".join(paragraphs)
        body_html = "".join(f"<p>{p}</p>" for p in paragraphs)
        republish_html = (
            f'{body_html}<p class="attribution">From <a href="{url}" '
            'rel="nofollow noopener">The Bench Gazette</a></p>'
            "<p>Republished with permission.</p>"
        )
        store.save_article(
            {
                "id": article_id(url),
                "source": "bench",
                "url": url,
                "canonical_url": url,
                "title": title,
                "author": "Bench Writer",
                "published_at": (start + timedelta(minutes=n)).isoformat(),
                "modified_at": None,
                "language": "en",
                "image_url": None,
                "tags": json.dumps(["bench"]),
                "description": paragraphs[0][:150],
                "body_html": body_html,
                "body_text": body_text,
                "word_count": len(body_text.split()),
                "republish_html": republish_html,
                "content_hash": content_hash(body_text),
                "first_seen_at": now,
                "last_seen_at": now,
                "changed_at": now,
            },
            [],
        )
    store.close()


def copy_store(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def publish(cfg: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    return run_syndicator(cfg, "publish", env, PUBLISH_TIMEOUT)


def sent_deliveries(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute("select count(*) from deliveries where status = 'sent'").fetchone()
    return int(row[0])


def check(receivers: list[WebhookReceiver], db: Path, articles: int) -> bool:
    """Every receiver got each article once (no repeats, none refused); the store agrees."""
    ok = True
    for n, receiver in enumerate(receivers):
        unique = len(receiver.unique())
        total, rejected = len(receiver.deliveries), len(receiver.rejected)
        good = unique == articles and total == articles and not rejected
        ok &= good
        print(
            f"  partner hook-{n}: {unique} unique webhook-ids, {total} deliveries, "
            f"{rejected} rejected (want {articles}/{articles}/0) {'ok' if good else 'FAIL'}"
        )
    sent, want = sent_deliveries(db), PARTNERS * articles
    good = sent == want
    print(f"  store: {sent} sent deliveries (want {want}) {'ok' if good else 'FAIL'}")
    return ok and good


def show(done: subprocess.CompletedProcess[str]) -> None:
    for line in (done.stdout + done.stderr).strip().splitlines()[-10:]:
        print(f"  | {line}")


def measure(
    template: Path, workdir: Path, concurrency: int, articles: int, latency: float
) -> tuple[Result, bool]:
    run_dir = workdir / f"concurrency-{concurrency}"
    run_dir.mkdir()
    copy_store(template, run_dir / "bench.db")
    receivers = [WebhookReceiver(secret=new_secret()) for _ in range(PARTNERS)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    text = CONFIG
    for n, receiver in enumerate(receivers):
        receiver.start()
        receiver.faults.add(Fault(delay=latency, status=None, times=10**9))
        variable = f"BENCH_HOOK_{n}_SECRET"
        env[variable] = receiver.secret
        text += PARTNER.format(
            name=f"hook-{n}", url=receiver.url, env=variable, concurrency=concurrency
        )
    cfg = run_dir / "syndicator.toml"
    cfg.write_text(text, encoding="utf-8")
    try:
        seconds, done = publish(cfg, env)
        startup, again = publish(cfg, env)
    finally:
        for receiver in receivers:
            receiver.stop()
    print(f"concurrency {concurrency}: publish exit {done.returncode} in {seconds:.2f} s")
    show(done)
    print(f"  second publish (nothing due): exit {again.returncode} in {startup:.2f} s")
    show(again)
    ok = check(receivers, run_dir / "bench.db", articles)
    ok &= done.returncode == 0 and again.returncode == 0
    return Result(concurrency, articles, latency, seconds, startup), ok


def print_table(results: list[Result]) -> None:
    header = (
        f"{'partners':>8} {'articles':>8} {'conc':>4} {'latency':>8} {'wall s':>7} "
        f"{'start-up s':>10} {'deliv/s':>8} {'excl. start-up':>14} {'limit':>7} "
        f"{'ratio':>6} {'ratio excl.':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{PARTNERS:>8} {r.articles:>8} {r.concurrency:>4} {1000 * r.latency:>6.0f}ms "
            f"{r.seconds:>7.2f} {r.startup:>10.2f} {r.rate:>8.1f} {r.rate_without_startup:>14.1f} "
            f"{r.limit:>7.1f} {r.rate / r.limit:>6.2f} {r.rate_without_startup / r.limit:>11.2f}"
        )


def concurrency_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(not 1 <= v <= 32 for v in values):
        raise argparse.ArgumentTypeError("a comma-separated list of integers from 1 to 32")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.publish", description=__doc__)
    parser.add_argument("--articles", type=int, default=1000, help="articles to publish")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds each partner takes to answer"
    )
    parser.add_argument(
        "--concurrency",
        type=concurrency_list,
        default=[4, 8, 16],
        help="per-partner concurrency values to measure, e.g. 4,8,16",
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.latency <= 0:
        parser.error("--articles must be at least 1 and --latency above 0")

    workdir = Path(tempfile.mkdtemp(prefix="syndicator-bench-publish-"))
    try:
        template = workdir / "template.db"
        started = time.perf_counter()
        build_store(template, args.articles)
        print(
            f"store: {args.articles} synthetic articles built in "
            f"{time.perf_counter() - started:.2f} s (not timed below)\n"
        )
        results, ok = [], True
        for concurrency in args.concurrency:
            result, good = measure(template, workdir, concurrency, args.articles, args.latency)
            results.append(result)
            ok &= good
        print()
        print_table(results)
        print(
            "\nlimit = partners x concurrency / latency; ratio = deliveries/s / limit; "
            "start-up = a publish with nothing due"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if not ok:
        print("\nFAIL: not every article reached every partner exactly once", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
