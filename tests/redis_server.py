"""A real ``redis-server`` on a free loopback port, for the cluster tests and
bench/cluster.py (``make test`` installs it when it is missing).

No persistence by default (``--save '' --appendonly no``): each server lives
in its own folder and dies with the test. :meth:`RedisServer.restart` stops
it with a snapshot and starts it again on the same port, the way an operator
restarts a Redis that persists.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (make redis installs it)")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> RedisServer:
        command = [
            "redis-server",
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
            "--dbfilename", "dump.rdb",
        ]  # fmt: skip
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start: see {self.folder}") from None
                time.sleep(0.02)

    def stop(self, save: bool = False) -> None:
        if self.process is None:
            return
        if save:
            with contextlib.suppress(redis.ConnectionError):  # it hangs up as it goes
                self.client().shutdown(save=True)
        else:
            self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None

    def restart(self, down_for: float) -> None:
        """Stop with a snapshot, stay away ``down_for`` seconds, come back with the data."""
        self.stop(save=True)
        time.sleep(down_for)
        self.start()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
