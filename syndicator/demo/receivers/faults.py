"""Fault injection, and the request loop both partner receivers share.

A receiver answers through :meth:`Receiver.respond`; before that, every
request is matched against the receiver's :class:`FaultPlan`, so a test can
make a partner slow, failing, rate-limited, or drop the connection, either
before the partner did anything or after it did the work (the answer lost on
the way back).
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from syndicator.demo.siteserver import Serving


@dataclass
class Fault:
    """One injected misbehaviour, for ``times`` matching requests.

    ``path`` is a regex searched in the request's route: the REST route
    (``/wp/v2/posts``) for a WordPress API request, else the URL path.
    ``status=None`` answers normally after ``delay`` (a slow but working
    partner). ``after=True`` lets the partner do the real work first, so the
    request took effect but the client sees the fault. ``echo=True`` makes the
    body a template: ``{authorization}`` and ``{body}`` become the request's
    Authorization header and body, as a partner that quotes the request in its
    error message does.
    """

    method: str | None = None
    path: str | None = None
    status: int | None = 500
    body: bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    after: bool = False
    times: int = 1
    echo: bool = False

    def matches(self, method: str, route: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, route) is not None

    def response(self, request: Request | None = None) -> Response:
        headers = dict(self.headers)
        content = self.body
        if self.echo and request is not None:
            quoted = {
                "{authorization}": request.headers.get("Authorization", ""),
                "{body}": request.body.decode("utf-8", "replace"),
            }
            content = _fill(content, quoted)
        if isinstance(content, dict):
            body = json.dumps(content).encode()
            headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        else:
            body = content or b""
        return Response(self.status or 500, headers, body)


def _fill(value: Any, quoted: dict[str, str]) -> Any:
    """``value`` (bytes, or JSON data) with each placeholder replaced."""
    if isinstance(value, bytes):
        return _fill(value.decode("utf-8"), quoted).encode("utf-8")
    if isinstance(value, str):
        for placeholder, text in quoted.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, dict):
        return {key: _fill(item, quoted) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, quoted) for item in value]
    return value


class FaultPlan:
    """The faults still to be applied, first match wins."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def match(self, method: str, route: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.matches(method, route):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


@dataclass
class Request:
    """An incoming request, as handed to :meth:`Receiver.respond`."""

    method: str
    path: str
    raw_query: str
    query: dict[str, str]
    headers: Message
    body: bytes
    user: str | None = None


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class RecordedRequest:
    """One request as the receiver saw it; ``status`` 0 means the connection was reset."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    user: str | None
    route: str


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    merged = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return Response(status, merged, json.dumps(data).encode())


class Receiver(Serving):
    """A loopback HTTP server with a request log, faults and an optional JSON state file."""

    def __init__(self, port: int = 0, state_file: Path | None = None) -> None:
        self.port = port
        self.state_file = Path(state_file) if state_file is not None else None
        self.requests: list[RecordedRequest] = []
        self.faults = FaultPlan()
        self._lock = threading.RLock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url

    def start(self) -> Self:
        if self.state_file is not None and self.state_file.is_file():
            self.load_state(json.loads(self.state_file.read_text()))
        handler = type("Handler", (_Handler,), {"receiver": self})
        self.port = self._serve("127.0.0.1", self.port, handler)
        return self

    def __enter__(self) -> Self:
        return self.start()

    def route_of(self, request: Request) -> str:
        """The route faults are matched against."""
        return request.path

    def respond(self, request: Request) -> Response:
        raise NotImplementedError

    def dump_state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        pass

    def save_state(self) -> None:
        """Write the state file; called by subclasses after every change."""
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(self.dump_state(), indent=1))
        tmp.replace(self.state_file)

    def _answer(self, request: Request) -> Response:
        with self._lock:
            try:
                return self.respond(request)
            except Exception:
                traceback.print_exc(file=sys.stderr)
                return json_response(
                    500,
                    {
                        "code": "internal_server_error",
                        "message": "There has been a critical error on this website.",
                        "data": {"status": 500},
                    },
                )

    def _record(self, request: Request, route: str, status: int) -> None:
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    request.method,
                    request.path,
                    request.query,
                    dict(request.headers.items()),
                    request.body,
                    status,
                    request.user,
                    route,
                )
            )


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't stall the second

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request list is the log; stderr noise would drown test output

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            raw_query=split.query,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=self.headers,
            body=body,
        )
        receiver = self.receiver
        route = receiver.route_of(request)
        fault = receiver.faults.match(request.method, route)
        response: Response | None
        if fault is None:
            response = receiver._answer(request)
        elif fault.after:
            real = receiver._answer(request)
            time.sleep(fault.delay)
            response = (
                None if fault.reset else real if fault.status is None else fault.response(request)
            )
        else:
            time.sleep(fault.delay)
            if fault.reset:
                response = None
            elif fault.status is None:
                response = receiver._answer(request)
            else:
                response = fault.response(request)
        if response is None:
            receiver._record(request, route, 0)
            self._reset()
            return
        receiver._record(request, route, response.status)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        headers = {"Content-Length": str(len(response.body)), **response.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        try:
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except ConnectionError:
            self.close_connection = True  # the client gave up waiting (a timeout test)

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST instead of FIN: a real connection reset
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()  # its reference would keep the socket open past close()
        self.connection.close()
        # the base class still flushes and closes these after the handler returns
        self.rfile = io.BytesIO()
        self.wfile = io.BytesIO()
