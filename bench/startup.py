"""Start-up: ``syndicator --help`` and ``syndicator status`` next to ``python -c pass``.

Neither command may import the crawl stack (Scrapy, Twisted, trafilatura); the
benchmark checks that with ``python -X importtime`` and prints the median wall
time of several runs of each.

Run from the repo root: ``python -m bench.startup [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.command import PUBLISHER
from bench.zyte_metric import REPO_ROOT

CRAWL_STACK = ("scrapy", "twisted", "trafilatura")
CONFIG = (
    PUBLISHER
    + """
[[sources]]
name = "bench"
feeds = ["https://example.org/feed.xml"]
"""
)


def _median_seconds(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _crawl_stack_imported(args: list[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [args[0], "-X", "importtime", *args[1:]], env=env, capture_output=True, text=True
    )
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    return [name for name in CRAWL_STACK if name in imported]


def run(runs: int = 7) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="syndicator-startup-"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    try:
        cfg = workdir / "syndicator.toml"
        cfg.write_text(CONFIG, encoding="utf-8")
        from syndicator.store import Store

        Store(workdir / "bench.db").close()  # status reads an existing store
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "syndicator --help": [sys.executable, "-m", "syndicator", "--help"],
            "syndicator status": [
                *(sys.executable, "-m", "syndicator", "--config", str(cfg), "status"),
            ],
        }
        rows = []
        for name, args in commands.items():
            rows.append(
                {
                    "command": name,
                    "seconds": _median_seconds(args, env, runs),
                    "crawl_stack": _crawl_stack_imported(args, env),
                }
            )
        return {"runs": runs, "rows": rows}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    r = run(args.runs)
    floor = r["rows"][0]["seconds"]
    print(f"{'command':<20} {'median s':>9} {'vs python':>10}  crawl stack imported")
    for row in r["rows"]:
        stack = ", ".join(row["crawl_stack"]) or "no"
        print(
            f"{row['command']:<20} {row['seconds']:>9.3f} {row['seconds'] / floor:>9.1f}x  {stack}"
        )
    return 1 if any(row["crawl_stack"] for row in r["rows"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
