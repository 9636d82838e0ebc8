"""httpx clients that connect only to addresses the network guard allows.

A request hook that checks a URL's host and a connection that resolves the
name again are two DNS lookups: a host whose answer changes in between (DNS
rebinding) passes the check with a public address and is then reached at a
private one. Here the check happens where the connection is made: the name
is resolved once, every address is judged, and the connection goes to the
very address that was judged. TLS still verifies the certificate against
the host name (httpcore passes it as the server name).

httpx 0.28 has no public way to hand its transport a network backend
(encode/httpx#3749), so :func:`guarded_transport` sets the one private
attribute it needs and refuses to run if that attribute is gone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from syndicator.netguard import IPAddress, IPNetwork, addresses, allowed, httpx_guard, refusal

Resolve = Callable[[str, int], Awaitable[list[IPAddress]]]


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, judges and then connects
    to a judged address, never to a name."""

    def __init__(
        self,
        networks: Sequence[IPNetwork],
        allow_hint: str,
        inner: httpcore.AsyncNetworkBackend | None = None,
        resolve: Resolve = addresses,
    ) -> None:
        self.networks = list(networks)
        self.allow_hint = allow_hint
        self.inner = inner or httpcore.AnyIOBackend()
        self.resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        found = await self.resolve(host, port)
        if not found:
            raise httpcore.ConnectError(f"{host}: the name resolves to no address")
        for address in found:
            if not allowed(address, self.networks):
                raise refusal(host, address, self.allow_hint)
        error: Exception | None = None
        for address in found:  # in the resolver's order, as a plain connect would
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("partners are reached over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(
    backend: GuardedNetworkBackend, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (pooling, TLS, error mapping), connecting through ``backend``."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
    pool = transport._pool
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError(
            "this httpx/httpcore version hides the connection pool's network backend; "
            "partner connections cannot be guarded"
        )
    pool._network_backend = backend
    return transport


def guarded_client(
    networks: Sequence[IPNetwork],
    allow_hint: str,
    *,
    timeout: float,
    connections: int,
    user_agent: str,
) -> httpx.AsyncClient:
    """An httpx client that reaches only public addresses and ``networks``."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=limits,
        # connections go only to addresses judged when they are made ...
        transport=guarded_transport(GuardedNetworkBackend(networks, allow_hint), limits),
        headers={"User-Agent": user_agent},
        # ... and a proxy from the environment, which resolves names itself,
        # is not asked to reach a URL whose host is refused here
        event_hooks={"request": [httpx_guard(networks, allow_hint)]},
    )
