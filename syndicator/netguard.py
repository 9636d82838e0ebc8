"""Which addresses syndicator may talk to.

Only public addresses, unless the config allows a network by name: no
loopback, private, link-local, multicast or reserved address is fetched
from or published to otherwise, whether a URL names it or a host name
resolves to it. Used by the crawl (a downloader middleware, and its DNS
resolver at connection time) and by the publishers (an httpx request hook,
so redirects are checked too, and :mod:`syndicator.guarded_http` at
connection time).
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


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any:
    ``::ffff:10.0.0.1`` reaches 10.0.0.1, whatever ``is_global`` says of it."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def allowed(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    """Public, or inside one of the allowed networks (the IPv4 inside an IPv6
    address is judged too)."""
    inner = embedded_ipv4(address)
    for candidate in (address, inner) if inner is not None else (address,):
        if any(candidate in net for net in networks if net.version == candidate.version):
            return True
    # an address that carries an IPv4 one reaches that one: judge it by it
    return _public(inner) if inner is not None else _public(address)


def _public(address: IPAddress) -> bool:
    # is_global alone lets multicast through
    return address.is_global and not (address.is_multicast or address.is_reserved)


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


async def check_url(url: str, networks: Sequence[IPNetwork], allow_hint: str) -> None:
    """Raise :class:`NetworkRefusedError` unless every address of the URL's host
    is public or inside an allowed network."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in await addresses(host, port):
        if not allowed(address, networks):
            raise refusal(host, address, allow_hint)


def refusal(host: str, address: IPAddress, allow_hint: str) -> NetworkRefusedError:
    return NetworkRefusedError(
        f"{host} is {address}, a non-public address; {allow_hint} to allow it"
    )


def httpx_guard(networks: Sequence[IPNetwork], allow_hint: str) -> Callable[..., Awaitable[None]]:
    """An httpx request event hook that refuses non-public addresses."""

    async def hook(request: object) -> None:
        await check_url(str(request.url), networks, allow_hint)  # type: ignore[attr-defined]

    return hook
