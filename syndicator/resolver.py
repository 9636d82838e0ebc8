"""Scrapy's DNS resolver, refusing non-public answers at connection time.

The network guard middleware checks each request's host before it is sent;
this resolver checks again when the connection is made, so a host name whose
DNS answer changes between the two (DNS rebinding) is refused too.

A resolver knows a name, not the request it resolves for, so the middleware
tells it which networks each name may resolve to (:class:`HostAllowances`):
those every source that asked for the name allows. One source's allowance
never lends itself to another's request: a public source that links to a
name only a private source may reach gets the name refused, whatever it
resolves to when the connection is made.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver

from syndicator.netguard import IPNetwork, allowed, refusal

ALLOW_HINT = "list its network in the source's allow_networks"


def _intersection(ours: Sequence[IPNetwork], theirs: Sequence[IPNetwork]) -> list[IPNetwork]:
    # two CIDR networks are either nested or disjoint: the overlap is the smaller one
    both = []
    for a in ours:
        for b in theirs:
            if a.version != b.version:
                continue
            if a.subnet_of(b):  # type: ignore[arg-type]
                both.append(a)
            elif b.subnet_of(a):  # type: ignore[arg-type]
                both.append(b)
    return sorted(set(both), key=str)


class HostAllowances:
    """The networks each host name of this crawl may resolve to.

    Scrapy pools connections per host, so a connection opened for one source's
    request may carry another's: an address is fit for a name only when every
    source that asked for the name may reach it (the intersection of their
    ``allow_networks``). A name nobody asked for gets public addresses only.
    """

    def __init__(self) -> None:
        self._networks: dict[str, list[IPNetwork]] = {}

    def note(self, host: str, networks: Sequence[IPNetwork]) -> None:
        host = host.lower().rstrip(".")
        known = self._networks.get(host)
        self._networks[host] = list(networks) if known is None else _intersection(known, networks)

    def networks(self, host: str) -> list[IPNetwork]:
        return self._networks.get(host.lower().rstrip("."), [])


# Scrapy builds the resolver from the CrawlerProcess, not from a crawler, and a
# process runs one crawl (its reactor cannot restart): one registry per process.
_ALLOWANCES = HostAllowances()


def host_allowances() -> HostAllowances:
    """The crawl's one registry, shared by the network guard middleware and the resolver."""
    return _ALLOWANCES


class GuardedResolver(CachingThreadedResolver):
    allowances: HostAllowances

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowances = host_allowances()
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str | bytes) -> str:
        host = name.decode("idna") if isinstance(name, bytes) else name
        found = ipaddress.ip_address(address)
        if not allowed(found, self.allowances.networks(host)):
            raise refusal(host, found, ALLOW_HINT)
        return address
