"""Scrapy's DNS resolver, refusing non-public answers at connection time.

The network guard middleware checks each request's host before it is sent;
this resolver checks again when the connection is made, so a host name whose
DNS answer changes between the two (DNS rebinding) is refused too. Literal IP
addresses never reach a resolver: the middleware's check is final for them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver

from syndicator.netguard import IPNetwork, allowed, refusal
from syndicator.scrapy_settings import config_from_settings


class GuardedResolver(CachingThreadedResolver):
    networks: list[IPNetwork]

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        config = config_from_settings(crawler.settings)
        # one resolver serves every source: the networks any source allows
        resolver.networks = [net for s in config.sources for net in s.allow_networks]
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        if not allowed(ipaddress.ip_address(address), self.networks):
            raise refusal(
                name,
                ipaddress.ip_address(address),
                "list its network in the source's allow_networks",
            )
        return address
