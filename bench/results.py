"""Run every benchmark and write ``bench/RESULTS.md``: the machine, a table of the
performance targets with what this run measured, and each benchmark's own output.

``make bench`` runs this. ``--quick`` uses small sizes (a smoke test of the
benchmarks themselves, not figures to publish); ``--skip NAME`` leaves one out.

Run from the repo root: ``python -m bench.results [--quick] [--skip peers]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.zyte_metric import REPO_ROOT

OUT = REPO_ROOT / "bench" / "RESULTS.md"
# benchmarks that print their own report; their output goes into RESULTS.md as is
PRINTED = ("extract", "boilerplate", "teasers", "publish", "dedup", "cluster")


def machine() -> list[str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split()[1]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit or '?'}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {int(mem) / 2**20:.0f} GiB",
        f"- {platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- load average at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
        "(other work on the machine makes every figure noisier; ratios are measured in one run)",
    ]


def _ok(met: bool) -> str:
    return "yes" if met else "**no**"


def targets(quick: bool, skip: set[str]) -> tuple[list[str], list[str]]:
    """The target table's rows, and notes for the details section."""
    rows: list[str] = []
    details: list[str] = []
    if "throughput" not in skip:
        from bench import throughput

        t = throughput.run(2 if quick else 12)
        rows.append(
            f"| 1. Throughput, {t['pages']} pages: crawl pages/s ÷ plain `trafilatura.extract` "
            f"pages/s | {t['ratio']:.2f} ({t['crawl_pages_per_second']:.1f} ÷ "
            f"{t['direct_pages_per_second']:.1f}) | ≥ {throughput.TARGET} | "
            f"{_ok(t['ratio'] >= throughput.TARGET)} |"
        )
        details.append(
            f"Throughput: CPU per page, crawl process {t['cpu_ms_per_page_main']:.1f} ms + "
            f"extraction workers {t['cpu_ms_per_page_workers']:.1f} ms, against "
            f"{t['direct_ms_per_page']:.1f} ms for plain `trafilatura.extract`; "
            f"{t['stored']} stored, {t['page_requests']} page requests, exit {t['exit']}. "
            f"Plain `trafilatura.extract` in one process per core at once: "
            f"{t['parallel_ceiling']:.2f}× one process (what the cores allow)."
        )
    if "memory" not in skip:
        from bench import memory

        m = memory.run(*((2, 12) if quick else (12, 111)))
        small, large = m["small"], m["large"]
        rows.append(
            f"| 3. Memory: peak RSS, {large['pages']} pages ÷ {small['pages']} pages "
            f"| {m['ratio']:.2f} ({large['peak_rss_mib']:.0f} ÷ {small['peak_rss_mib']:.0f} MiB) "
            f"| ≤ {memory.TARGET} | {_ok(m['ratio'] <= memory.TARGET)} |"
        )
    if "cron" not in skip:
        from bench import cron

        c = cron.run(*((3, 100) if quick else (10, 1000)))
        for key, label in (("validators", "answers 304"), ("no_validators", "ignores validators")):
            n = c[key]
            rows.append(
                f"| 4. Cron no-op, {c['sources']} sources × {c['articles']} stored, site {label} "
                f"| {n['seconds']:.1f} s, {n['requests']} requests, {n['article_requests']} "
                f"article pages | 0 article pages, a couple of seconds | "
                f"{_ok(n['article_requests'] == 0 and n['exit'] == 0)} |"
            )
    if "startup" not in skip:
        from bench import startup

        s = startup.run(3 if quick else 7)
        floor = s["rows"][0]["seconds"]
        for row in s["rows"][1:]:
            stack = ", ".join(row["crawl_stack"]) or "none"
            rows.append(
                f"| 5. Start-up, `{row['command']}` | {row['seconds']:.2f} s "
                f"({row['seconds'] / floor:.0f}× `python -c pass`, {floor:.2f} s); crawl stack "
                f"imported: {stack} | no crawl stack | {_ok(not row['crawl_stack'])} |"
            )
    return rows, details


def peers_table(quick: bool) -> list[str]:
    from bench import peers

    return peers.markdown(peers.run(1 if quick else 12))


def printed(name: str, quick: bool) -> str:
    args = [sys.executable, "-m", f"bench.{name}"]
    if quick and name == "extract":
        args += ["--pages", "20"]
    done = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return (done.stdout + (f"\n(exit {done.returncode})" if done.returncode else "")).strip()


def section(title: str, make: Callable[[], Any]) -> list[str]:
    print(f"bench: {title} ...", file=sys.stderr, flush=True)
    try:
        return [f"## {title}", "", *make(), ""]
    except Exception as exc:  # one broken benchmark must not lose the others' figures
        return [f"## {title}", "", f"failed: {type(exc).__name__}: {exc}", ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes; not for publishing")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    skip = set(args.skip)
    lines = ["# Benchmark results", "", "Written by `make bench` (`python -m bench.results`).", ""]
    lines += ["## Machine", "", *machine(), ""]
    details: list[str] = []

    def target_rows() -> list[str]:
        rows, notes = targets(args.quick, skip)
        details.extend(notes)
        header = ["| target | measured | goal | met |", "| --- | --- | --- | --- |"]
        return [*header, *rows, "", *details]

    lines += section("Performance targets (issue 6)", target_rows)
    if "peers" not in skip:
        lines += section("Peers on the same pages", lambda: peers_table(args.quick))
    for name in PRINTED:
        if name not in skip:
            lines += section(
                f"`python -m bench.{name}`", lambda n=name: ["```", printed(n, args.quick), "```"]
            )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
