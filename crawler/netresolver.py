"""The crawl's DNS resolver (TWISTED_DNS_RESOLVER): connect only to addresses the guard approved.

Scrapy connects through Twisted's HostnameEndpoint, which asks the reactor's name resolver for
the addresses of every host, IP literals included. This resolver answers from
`crawler.netguard.resolve()`, the same cache PrivateAddressGuardMiddleware checked, so the
address connected to is the address that was checked: a DNS answer that changes between the
check and the connection (DNS rebinding) is never used. It also checks again: a non-public
answer for a host the guard did not clear (a seed host, an allowed host) is dropped, so the
connection fails with a DNS lookup error instead of reaching the private address.
IPv4 and IPv6 answers are both returned.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import succeed
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from crawler import netguard

logger = logging.getLogger(__name__)


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - HostnameEndpoint never cancels a resolution
        pass


def guard_from_settings(settings: Any) -> tuple[bool, netguard.AllowList]:
    """(allow_private, allow-list) from crawl settings; installs CLINICWATCH_RESOLVE pins."""
    netguard.set_pins(netguard.parse_pins(settings.get("CLINICWATCH_RESOLVE") or ""))
    return (settings.getbool("CLINICWATCH_ALLOW_PRIVATE"),
            netguard.AllowList.parse(settings.get("CLINICWATCH_ALLOWED_PRIVATE_HOSTS") or ""))


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, reactor: Any, allow_private: bool, allowed: netguard.AllowList) -> None:
        self.reactor = reactor
        self.allow_private = allow_private
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> "GuardedResolver":
        allow_private, allowed = guard_from_settings(crawler.settings)
        return cls(reactor, allow_private, allowed)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: IResolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type] | None = None,
                        transportSemantics: str = "TCP") -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        if netguard.needs_lookup(hostName):
            d = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), netguard.resolve, hostName)
        else:
            d = succeed(netguard.resolve(hostName))

        def deliver(addresses: tuple[str, ...]) -> None:
            if addresses and not self.allow_private and not netguard.is_cleared(hostName):
                reason = netguard.refusal(hostName, addresses, allowed=self.allowed)
                if reason:
                    logger.warning("refused to connect: %s", reason)
                    addresses = ()
            for address in addresses:
                kind = IPv6Address if ":" in address else IPv4Address
                if addressTypes is None or kind in addressTypes:
                    resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
            resolutionReceiver.resolutionComplete()

        def failed(failure: Any) -> None:
            logger.warning("resolving %s failed: %s", hostName, failure.getErrorMessage())
            resolutionReceiver.resolutionComplete()

        d.addCallbacks(deliver, failed)
        return resolution
