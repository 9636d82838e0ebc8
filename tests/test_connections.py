"""What a source's server sees of a crawl: no more requests at once than the
source's ``concurrency_per_domain``, over connections that stay open.

The server here is a real HTTP/1.1 server on loopback that counts the TCP
connections it accepts and the requests it is answering at any one moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import query, syndicator, write_config

ARTICLES = 48
CONCURRENCY = 12  # above the config's default (8), which once capped kept-open connections
ANSWER_SECONDS = 0.05  # long enough for requests to overlap when they may

ARTICLE = """<html><head><title>Story {n}</title></head><body><article>
<h1>Story {n}</h1><p>{text}</p><p>{text}</p></article></body></html>"""
WORDS = "The council met on the river bank and agreed to mend the old bridge before spring."


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a short accept queue is not what is under test

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.lock = threading.Lock()
        self.connections = 0
        self.answering = 0
        self.most_at_once = 0
        self.article_requests = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CountingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server
        if self.path == "/sitemap.xml":
            locs = "".join(
                f"<url><loc>{server.url}/news/story-{n}/</loc></url>" for n in range(ARTICLES)
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            self._send(200, "application/xml", body)
        elif self.path.startswith("/news/story-"):
            with server.lock:
                server.answering += 1
                server.article_requests += 1
                server.most_at_once = max(server.most_at_once, server.answering)
            try:
                time.sleep(ANSWER_SECONDS)
                n = self.path.split("-")[1].strip("/")
                self._send(200, "text/html; charset=utf-8", ARTICLE.format(n=n, text=WORDS))
            finally:
                with server.lock:
                    server.answering -= 1
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status: int, ctype: str, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    server = CountingServer()
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    tmp: Path = tmp_path_factory.mktemp("connections")
    source = {
        "name": "busy",
        "sitemaps": [f"{server.url}/sitemap.xml"],
        "min_words": 5,
        "crawl": {"concurrency_per_domain": CONCURRENCY, "delay": 0},
    }
    config = write_config(tmp / "syndicator.toml", [source])
    done = syndicator("crawl", config=config)
    yield {"done": done, "server": server, "db": tmp / "store.db"}
    server.shutdown()
    server.server_close()


def test_every_article_is_fetched_once_and_stored(crawled: dict[str, Any]) -> None:
    assert crawled["done"].returncode == 0, crawled["done"].stderr
    assert crawled["server"].article_requests == ARTICLES
    stored = query(crawled["db"], "select count(*) as n from articles")
    assert stored == [{"n": ARTICLES}]


def test_no_more_requests_at_once_than_the_source_allows(crawled: dict[str, Any]) -> None:
    server = crawled["server"]
    # it does overlap them (the limit is used, not just respected)...
    assert server.most_at_once > CONCURRENCY // 2
    # ...and never beyond it: Scrapy's downloader once started a slot's whole queue
    assert server.most_at_once <= CONCURRENCY


def test_connections_stay_open_between_requests(crawled: dict[str, Any]) -> None:
    # one per concurrent request (robots.txt and the sitemap reuse them); without
    # the pool sized to the slot, most articles came over a new connection
    assert crawled["server"].connections <= CONCURRENCY + 1
