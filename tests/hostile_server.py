"""A web server on 127.0.0.1 that misbehaves on purpose, for tests/test_hostile.py.

:class:`syndicator.demo.siteserver.Site` answers with a whole body at once; this one
can also trickle bytes, stream bodies that never end, send raw compression
bombs, chunked bodies and redirects. Each path is a *route*: a function that
gets the request handler and writes whatever it likes to the socket.

Every stream stops when the client goes away, when the server stops, or after
``MAX_STREAM_SECONDS`` at the latest, so a client that never gives up cannot
keep a test (or a thread) running for ever.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MAX_STREAM_SECONDS = 60.0
Route = Callable[["HostileHandler"], None]
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class HostileServer:
    """Routes by path (query ignored); unknown paths answer 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def start(self) -> HostileServer:
        handler = type("Handler", (HostileHandler,), {"hostile": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], _GONE):  # a client hanging up is expected here
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class HostileHandler(BaseHTTPRequestHandler):
    hostile: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.hostile.hits[path] += 1
        route = self.hostile.routes.get(path)
        try:
            if route is None:
                static(b"<html><body><h1>Not Found</h1></body></html>", status=404)(self)
            else:
                route(self)
        except _GONE:
            self.close_connection = True

    # -- writing helpers for routes ---------------------------------------------

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()

    def streaming(self, started: float) -> bool:
        """Whether a stream may go on."""
        return (
            not self.hostile.stopping.is_set() and time.monotonic() - started < MAX_STREAM_SECONDS
        )

    def chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def last_chunk(self) -> None:
        self.wfile.write(b"0\r\n\r\n")


HTML = "text/html; charset=utf-8"


def static(
    body: bytes, content_type: str | None = HTML, status: int = 200, **headers: str
) -> Route:
    """A whole body at once, with Content-Length. ``headers`` use ``_`` for ``-``."""

    def route(handler: HostileHandler) -> None:
        sent = {k.replace("_", "-"): v for k, v in headers.items()}
        if content_type is not None:
            sent["Content-Type"] = content_type
        sent.setdefault("Content-Length", str(len(body)))
        handler.head(status, sent)
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return static(b"", None, status=status, Location=location)


def chunked(
    chunks: Callable[[], Iterable[bytes]], content_type: str = HTML, **headers: str
) -> Route:
    """A body streamed with chunked transfer encoding, made as it is sent."""

    def route(handler: HostileHandler) -> None:
        sent = {k.replace("_", "-"): v for k, v in headers.items()}
        handler.head(200, {"Content-Type": content_type, "Transfer-Encoding": "chunked", **sent})
        started = time.monotonic()
        for data in chunks():
            if not handler.streaming(started):
                handler.close_connection = True
                return
            handler.chunk(data)
        handler.last_chunk()

    return route


def endless(opening: bytes, repeat: bytes, content_type: str, pause: float = 0.0) -> Route:
    """``opening``, then ``repeat`` for ever (chunked), ``pause`` seconds apart."""

    def chunks() -> Iterator[bytes]:
        yield opening
        while True:
            if pause:
                time.sleep(pause)
            yield repeat

    return chunked(chunks, content_type)


def trickle(raw: bytes, every: float = 0.5) -> Route:
    """The whole answer, status line included, one byte every ``every`` seconds."""

    def route(handler: HostileHandler) -> None:
        started = time.monotonic()
        for i in range(len(raw)):
            if not handler.streaming(started):
                break
            handler.wfile.write(raw[i : i + 1])
            handler.wfile.flush()
            time.sleep(every)
        handler.close_connection = True

    return route


def trickle_body(body: bytes, every: float = 0.5, content_type: str = HTML) -> Route:
    """Headers at once (with the true Content-Length), then one body byte every ``every`` s."""

    def route(handler: HostileHandler) -> None:
        handler.head(200, {"Content-Type": content_type, "Content-Length": str(len(body))})
        started = time.monotonic()
        for i in range(len(body)):
            if not handler.streaming(started):
                break
            handler.wfile.write(body[i : i + 1])
            handler.wfile.flush()
            time.sleep(every)
        handler.close_connection = True

    return route


# -- compression bombs -----------------------------------------------------------

_MB = 1 << 20


@functools.lru_cache(maxsize=1)
def _zero_blocks(megabytes: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``megabytes`` MB of zeros, and its CRC-32 and Adler-32.

    Streaming zlib over 1 GB takes seconds; instead one MB of zeros is
    compressed with a full flush (byte-aligned, no reference to earlier data),
    so the stream is that block repeated: the same bytes zlib would make, in
    milliseconds.
    """
    zeros = bytes(_MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    crc, adler = 0, 1
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
        adler = zlib.adler32(zeros, adler)
    return block * megabytes + final, crc, adler


def gzip_bomb(megabytes: int = 1024) -> bytes:
    """A gzip member that inflates to ``megabytes`` MB of zeros (1 GB: about 1 MB)."""
    deflated, crc, _ = _zero_blocks(megabytes)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    size = (megabytes * _MB) & 0xFFFFFFFF
    return header + deflated + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


def deflate_bomb(megabytes: int = 1024) -> bytes:
    """The same as a zlib stream (HTTP's ``Content-Encoding: deflate``)."""
    deflated, _, adler = _zero_blocks(megabytes)
    return b"\x78\xda" + deflated + adler.to_bytes(4, "big")


def gzip_bytes(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()
