"""Serve a folder of static files as a web site on 127.0.0.1.

Used by ``syndicator demo`` for the bundled sample sites and by the tests and
benchmarks for their local sites. Behaves like a well-configured web server
where a crawler can notice: ETag and Last-Modified with 304 answers, content
types by file extension, 404 for missing files.

Text files may contain ``{{SITE}}`` (this site's base URL, no trailing slash)
and ``{{SITE:name}}`` (another site's base URL, served by the same
:class:`SiteGroup`), so feeds and sitemaps hold absolute URLs whatever port
the site ends up on.

A file ``<name>.headers`` beside ``<name>`` adds or overrides response
headers (one ``Header: value`` per line); a line ``Status: 410`` sets the
status code.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".json", ".rss", ".atom", ""}
_TOKEN = re.compile(r"\{\{SITE(?::([\w.-]+))?\}\}")
mimetypes.add_type("application/rss+xml", ".rss")
mimetypes.add_type("application/atom+xml", ".atom")


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a client hangs up
    (a killed crawler, a timeout): that is not the server's error."""

    daemon_threads = True
    # the standard library's 5 overflows when a crawl opens a source's connections
    # all at once; the client then waits out a TCP retransmission (200 ms and more)
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Serving:
    """Runs a :class:`QuietHTTPServer` in a daemon thread: start, stop, ``with``.
    Shared by the sites here and the partner receivers."""

    _server: QuietHTTPServer | None = None

    def _serve(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> int:
        """Start serving; returns the port (a free one when ``port`` is 0)."""
        self._server = QuietHTTPServer((host, port), handler)
        # a short poll interval keeps stop() quick; tests start and stop many servers
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class RequestRecord:
    """One request as the site saw it, for tests to assert on."""

    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class Site(Serving):
    """A folder served on one loopback port.

    ``roots`` are searched in order, so a test can lay a folder of changed
    files over the bundled site.
    """

    name: str
    roots: list[Path]
    port: int = 0
    delay: float = 0.0
    requests: list[RequestRecord] = field(default_factory=list)
    group: SiteGroup | None = None
    hook: Callable[[str], tuple[int, dict[str, str], bytes] | None] | None = None
    host: str = "127.0.0.1"  # any loopback address: tests use 127.0.0.2 as well

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def find(self, path: str) -> Path | None:
        rel = unquote(urlsplit(path).path).lstrip("/")
        if ".." in Path(rel).parts:
            return None
        for root in self.roots:
            candidate = root / rel
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if candidate.is_file() and not candidate.name.endswith(".headers"):
                return candidate
        return None

    def substitute(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            other = match.group(1)
            if other is None:
                return self.url
            if self.group is None or other not in self.group.sites:
                return match.group(0)
            return self.group.sites[other].url

        return _TOKEN.sub(replace, text)

    def fetched(self, path_prefix: str = "/", method: str = "GET") -> list[RequestRecord]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and r.method == method]

    def start(self) -> Site:
        handler = type("Handler", (_Handler,), {"site": self})
        self.port = self._serve(self.host, self.port, handler)
        return self

    def __enter__(self) -> Site:
        return self.start()


class SiteGroup:
    """Several sites that link to each other, started and stopped together."""

    def __init__(self, sites: list[Site]):
        self.sites = {site.name: site for site in sites}
        for site in sites:
            site.group = self

    def __getitem__(self, name: str) -> Site:
        return self.sites[name]

    def start(self) -> SiteGroup:
        for site in self.sites.values():
            site.start()
        return self

    def stop(self) -> None:
        for site in self.sites.values():
            site.stop()

    def __enter__(self) -> SiteGroup:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_headers(path: Path) -> tuple[int | None, dict[str, str]]:
    sidecar = path.with_name(path.name + ".headers")
    if not sidecar.is_file():
        return None, {}
    status, headers = None, {}
    for line in sidecar.read_text().splitlines():
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        if key.lower() == "status":
            status = int(value)
        else:
            headers[key] = value
    return status, headers


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every kept-alive answer waits ~40 ms for an ACK

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request list is the log; stderr noise would drown test output

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _serve(self, send_body: bool) -> None:
        site = self.site
        if site.delay:
            time.sleep(site.delay)
        status, headers, body = self._respond()
        site.requests.append(
            RequestRecord(self.command, self.path, dict(self.headers.items()), status)
        )
        self.send_response(status)
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def _respond(self) -> tuple[int, dict[str, str], bytes]:
        site = self.site
        if site.hook is not None:
            answer = site.hook(self.path)
            if answer is not None:
                return answer
        path = site.find(self.path)
        if path is None:
            body = b"<html><body><h1>Not Found</h1></body></html>"
            return 404, {"Content-Type": "text/html; charset=utf-8"}, body
        body = path.read_bytes()
        if path.suffix.lower() in TEXT_SUFFIXES:
            body = site.substitute(body.decode("utf-8")).encode("utf-8")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("xml"):
            ctype += "; charset=utf-8"
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": modified}
        status, extra = _read_headers(path)
        headers.update(extra)
        if status is not None:
            return status, headers, body
        if self._not_modified(etag, path.stat().st_mtime):
            return 304, {"ETag": etag, "Last-Modified": modified}, b""
        return 200, headers, body

    def _not_modified(self, etag: str, mtime: float) -> bool:
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False
