"""Which addresses syndicator may talk to.

Only public addresses, unless the config allows a network by name: no
loopback, private, link-local, multicast or reserved address is fetched
from or published to otherwise, whether a URL names it or a host name
resolves to it. Used by the crawl (a downloader middleware) and by the
publishers (an httpx request hook, so redirects are checked too).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class NetworkRefusedError(Exception):
    """The URL's host is a non-public address nobody allowed."""


async def addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    except OSError:
        return []  # the connection itself will fail and say why
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def check_url(url: str, allowed: Sequence[IPNetwork], allow_hint: str) -> None:
    """Raise :class:`NetworkRefusedError` unless every address of the URL's host
    is public or inside an allowed network."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in await addresses(host, port):
        if address.is_global or any(address in net for net in allowed):
            continue
        raise NetworkRefusedError(
            f"{host} is {address}, a non-public address; {allow_hint} to allow it"
        )


def httpx_guard(allowed: Sequence[IPNetwork], allow_hint: str) -> Callable[..., Awaitable[None]]:
    """An httpx request event hook that refuses non-public addresses."""

    async def hook(request: object) -> None:
        await check_url(str(request.url), allowed, allow_hint)  # type: ignore[attr-defined]

    return hook
