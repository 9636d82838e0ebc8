"""Run a command and measure its wall time, and the peak memory and CPU time of its
whole process tree.

A crawler with a worker pool is several processes; ``ru_maxrss`` of the
children would report only the largest one. Here the resident set sizes of
the command and all its descendants are summed from ``/proc`` every
:data:`INTERVAL` seconds, and the highest sum is the peak. CPU time is each
process's last sampled user+system time (a process living less than one
interval is missed), summed.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    seconds: float
    peak_rss: int  # bytes, summed over the process tree
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system, summed over the process tree
    cpu_by_process: dict[str, float] | None = None  # 'command' / 'child NAME' -> CPU s

    @property
    def peak_mib(self) -> float:
        return self.peak_rss / 2**20


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the ppid follows the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree = _children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, ()))
    return found


def tree_rss(pid: int, cpu: dict[int, tuple[str, float]] | None = None) -> int:
    """Resident bytes of ``pid`` and all its descendants, now. When ``cpu`` is
    given, each process's (name, CPU seconds so far) is recorded in it."""
    total = 0
    for current in _descendants(pid):
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * _PAGE
            if cpu is not None:
                stat = Path(f"/proc/{current}/stat").read_text()
                name = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat.rsplit(")", 1)[1].split()
                cpu[current] = (name, (int(fields[11]) + int(fields[12])) / _TICK)
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(
    args: list[str],
    *,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 1800.0,
) -> Measured:
    """Run ``args`` to completion, sampling its tree's memory; a timeout kills it (code -1)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    cpu: dict[int, tuple[str, float]] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid, cpu))
            done.wait(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        code, stderr = -1, f"{stderr}\ntimed out after {timeout} s"
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    by_process: dict[str, float] = {}
    for pid, (name, used) in cpu.items():
        key = "command" if pid == proc.pid else f"child {name}"
        by_process[key] = by_process.get(key, 0.0) + used
    return Measured(seconds, peak, code, stdout, stderr, sum(by_process.values()), by_process)
