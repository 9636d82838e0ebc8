"""Running the real ``syndicator`` command from a benchmark, timed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

# the [publisher] table of every benchmark's config; the store is bench.db beside it
PUBLISHER = """\
[publisher]
name = "Bench Publisher"
contact_url = "https://example.org/bench"
store = "bench.db"
"""


def run_syndicator(
    cfg: Path, command: str, env: dict[str, str], timeout: float
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """``syndicator --config CFG --quiet COMMAND`` in a subprocess: (wall seconds, result).

    A run that exceeds ``timeout`` comes back with exit code -1 and says so."""
    args = [sys.executable, "-m", "syndicator", "--config", str(cfg), "--quiet", command]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            args,
            cwd=cfg.parent,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(args, -1, "", f"timed out after {timeout} s")
    return time.perf_counter() - start, done
