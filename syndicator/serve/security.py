"""What keeps the store's content from acting in the operator's browser.

Datasette escapes every cell it shows; the store holds text written by
strangers (titles, bodies, errors), so this adds a second wall in case
anything ever slips through: a Content-Security-Policy that lets only
Datasette's own scripts run. Datasette loads its scripts from its own static
files (allowed by ``'self'``) and has a few small inline scripts in its
templates; those are allowed by their SHA-256, computed from the installed
Datasette's templates, so no other inline script, event handler or
``javascript:`` URL can run. The ASGI wrapper also answers only requests whose
Host is a loopback name, so a web page cannot read the store by pointing its
own domain at 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]

# Bare <script> blocks only: the ones with src= load from 'self'. base.html's
# <script{% if ... %}> (a plugin's extra_body_script) does not match: we add none.
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}")
# table.html writes DATASETTE_ALLOW_FACET = {{ "true" or "false" }}: both are allowed
_EXPRESSION_VALUES = ("true", "false")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _sha256(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@cache
def datasette_script_hashes() -> tuple[str, ...]:
    """CSP sources for the inline scripts of the installed Datasette's templates."""
    import datasette

    hashes: set[str] = set()
    for template in sorted((Path(datasette.__file__).parent / "templates").glob("*.html")):
        for body in _INLINE_SCRIPT.findall(template.read_text("utf-8")):
            if "{%" in body:
                continue  # not a fixed script; Datasette has none such today
            if _EXPRESSION.search(body):
                hashes.update(_sha256(_EXPRESSION.sub(v, body)) for v in _EXPRESSION_VALUES)
            else:
                hashes.add(_sha256(body))
    return tuple(sorted(hashes))


@cache
def content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' " + " ".join(datasette_script_hashes()),
            # Datasette's templates and CodeMirror set style attributes; styles run no code
            "style-src 'self' 'unsafe-inline'",
            # no image from a stored URL is ever loaded (no tracking pixel, no request out)
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy().encode("ascii")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),  # links out to sources reveal nothing of ours
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


def is_loopback_host(host_header: str) -> bool:
    """True for ``127.0.0.1:8001``, ``localhost``, ``[::1]:8001`` and the like."""
    host = host_header.strip().lower()
    name = host[: host.find("]") + 1] if host.startswith("[") else host.rsplit(":", 1)[0]
    return name in LOOPBACK_HOSTS


def protect(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app: loopback Host only, security headers on every response."""
    extra = security_headers()
    names = {name for name, _ in extra}

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if not is_loopback_host(host):
            await send(
                {
                    "type": "http.response.start",
                    "status": 421,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), *extra],
                }
            )
            await send(
                {
                    "type": "http.response.body",
                    "body": b"syndicator serve answers only to 127.0.0.1 and localhost\n",
                }
            )
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
